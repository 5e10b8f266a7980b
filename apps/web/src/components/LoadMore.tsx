import { Button } from 'antd';
import { useTranslation } from 'react-i18next';

/** The footer of a cursor-paginated list. */
export function LoadMore({ list }: { list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> } }) {
  const { t } = useTranslation();
  if (!list.hasNextPage) return null;
  return (
    <div style={{ textAlign: 'center', marginTop: 16 }}>
      <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
        {t('common.loadMore')}
      </Button>
    </div>
  );
}
