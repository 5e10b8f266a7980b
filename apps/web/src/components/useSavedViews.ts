import type { SavedView, SavedViewPage } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, get, post } from '../api/client';

/**
 * A list page's saved views (named filters, per user): the list, the one applied, the name being typed,
 * and saving or deleting with the messages users see. The page keeps its own filters and controls.
 */
export function useSavedViews(page: SavedViewPage) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [viewId, setViewId] = useState<string>();
  const [naming, setNaming] = useState<string | null>(null);
  const views = useQuery({
    queryKey: ['saved-views', page],
    queryFn: () => get<{ items: SavedView[] }>(`/api/saved-views?page=${page}`).then((r) => r.items),
    retry: false,
  });
  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.display : String(e));

  const saveView = async (filters: Record<string, unknown>) => {
    const name = (naming ?? '').trim();
    if (!name) return;
    if (views.data?.some((v) => v.name === name)) {
      message.error(t('views.duplicate', { name }));
      return;
    }
    try {
      const view = await post<SavedView>('/api/saved-views', { page, name, filters });
      await queryClient.invalidateQueries({ queryKey: ['saved-views'] });
      setViewId(view.id);
      setNaming(null);
      message.success(t('views.saved', { name }));
    } catch (e) {
      fail(e);
    }
  };
  const deleteView = async (view: SavedView) => {
    try {
      await api('DELETE', `/api/saved-views/${view.id}`);
      await queryClient.invalidateQueries({ queryKey: ['saved-views'] });
      if (viewId === view.id) setViewId(undefined);
      message.success(t('views.deleted', { name: view.name }));
    } catch (e) {
      fail(e);
    }
  };
  return { views, viewId, setViewId, naming, setNaming, saveView, deleteView, fail };
}
