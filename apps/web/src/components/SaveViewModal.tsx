import { Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';

/** The "name this view" dialog of a list with saved views (useSavedViews): open while `naming` is not null. */
export function SaveViewModal({
  naming,
  setNaming,
  onSave,
}: {
  naming: string | null;
  setNaming: (name: string | null) => void;
  onSave: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={naming !== null}
      title={t('views.save')}
      onCancel={() => setNaming(null)}
      onOk={onSave}
      okButtonProps={{ disabled: !(naming ?? '').trim(), 'data-testid': 'save-view-ok' } as never}
      destroyOnHidden
    >
      <Input
        autoFocus
        maxLength={60}
        placeholder={t('views.namePlaceholder')}
        value={naming ?? ''}
        onChange={(e) => setNaming(e.target.value)}
        onPressEnter={onSave}
        data-testid="save-view-name"
      />
    </Modal>
  );
}
