import type { User } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../api/client';
import { useSession } from '../../auth';

/** Roles that work leads and can be handed one (ROLE_MATRIX: leads.work). */
export const WORKING_ROLES = new Set(['consultant', 'dcc_agent', 'store_manager']);

/** Active users who work leads, in a store (or the caller's whole scope); needs users.read. */
export function useConsultants(storeId: string | null | undefined, enabled = true) {
  const { can } = useSession();
  return useQuery({
    queryKey: ['consultants', storeId ?? 'all'],
    enabled: enabled && can('users.read'),
    staleTime: 60_000,
    queryFn: () =>
      get<{ items: User[] }>(`/api/users${qs({ orgUnitId: storeId ?? undefined, active: true, limit: 200 })}`).then((r) =>
        r.items.filter((u) => WORKING_ROLES.has(u.role)),
      ),
  });
}

export function ConsultantSelect({
  storeId,
  value,
  onChange,
  testId,
  width = 220,
}: {
  storeId: string | null | undefined;
  value?: string;
  onChange?: (id: string | undefined) => void;
  testId?: string;
  width?: number | string;
}) {
  const { t } = useTranslation();
  const users = useConsultants(storeId);
  return (
    <Select
      allowClear
      showSearch
      optionFilterProp="label"
      placeholder={t('leads.chooseConsultant')}
      style={{ width }}
      value={value}
      loading={users.isLoading}
      onChange={onChange}
      data-testid={testId}
      options={(users.data ?? []).map((u) => ({
        value: u.id,
        label: `${u.displayName} · ${u.login}${u.onDuty ? '' : ` (${t('leads.offDuty')})`}`,
      }))}
    />
  );
}
