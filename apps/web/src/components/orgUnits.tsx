import { ApartmentOutlined, BankOutlined, ClusterOutlined, GlobalOutlined, ShopOutlined, TeamOutlined } from '@ant-design/icons';
import type { OrgUnit, OrgUnitType } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { get } from '../api/client';

export const UNIT_ICON: Record<OrgUnitType, ReactNode> = {
  hq: <BankOutlined />,
  region: <GlobalOutlined />,
  dealer_group: <ClusterOutlined />,
  store: <ShopOutlined />,
  team: <TeamOutlined />,
};
export const FALLBACK_ICON = <ApartmentOutlined />;

export function useOrgUnits(includeInactive = true) {
  return useQuery({
    queryKey: ['org-units', includeInactive],
    queryFn: () => get<{ items: OrgUnit[] }>(`/api/org/units${includeInactive ? '?includeInactive=true' : ''}`).then((r) => r.items),
  });
}

export interface UnitNode {
  unit: OrgUnit;
  children: UnitNode[];
}

/** Builds the tree from the flat list; a unit whose parent is out of view becomes a root. */
export function buildTree(units: OrgUnit[]): UnitNode[] {
  const nodes = new Map(units.map((u) => [u.id, { unit: u, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (list: UnitNode[]) => {
    list.sort((a, b) => a.unit.code.localeCompare(b.unit.code));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

export function unitName(u: OrgUnit, lang: string) {
  return lang === 'en' ? u.nameEn : u.nameZh;
}

/** An option of an antd TreeSelect. */
export interface TreeOption {
  value: string;
  title: string;
  disabled?: boolean;
  children: TreeOption[];
}
