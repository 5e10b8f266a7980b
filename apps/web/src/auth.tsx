import type { Me, Permission } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { get, patch, post, setCsrfToken, setUnauthenticatedHandler } from './api/client';
import { applyLanguage, type Language } from './i18n';

interface Session {
  me: Me | null;
  loading: boolean;
  can(permission: Permission): boolean;
  signIn(tenant: string, login: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
  setLanguage(lang: Language): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

async function fetchMe(): Promise<Me | null> {
  try {
    return await get<Me>('/api/auth/me');
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: Infinity, retry: false });
  const me = query.data ?? null;

  useEffect(() => {
    setCsrfToken(me?.csrfToken ?? null);
  }, [me]);
  useEffect(() => {
    setUnauthenticatedHandler(() => client.setQueryData(['me'], null));
  }, [client]);

  // Everything cached belongs to the previous user, except the session query itself, which the
  // provider observes (removing it would detach the observer from the next user's data).
  const dropOtherUsersData = useCallback(() => client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' }), [client]);

  const accept = useCallback(
    async (next: Me) => {
      setCsrfToken(next.csrfToken);
      await applyLanguage(next.user.locale);
      client.setQueryData(['me'], next);
    },
    [client],
  );

  const value = useMemo<Session>(
    () => ({
      me,
      loading: query.isLoading,
      can: (p) => me?.permissions.includes(p) ?? false,
      signIn: async (tenant, login, password) => {
        const next = await post<Me>('/api/auth/login', { tenant, login, password });
        localStorage.setItem('forecourt.tenant', tenant);
        dropOtherUsersData();
        await accept(next);
        return next;
      },
      signOut: async () => {
        await post('/api/auth/logout').catch(() => undefined);
        setCsrfToken(null);
        dropOtherUsersData();
        client.setQueryData(['me'], null);
      },
      setLanguage: async (lang) => {
        await applyLanguage(lang);
        if (me) await accept(await patch<Me>('/api/me', { locale: lang }));
      },
      refresh: async () => {
        await query.refetch();
      },
    }),
    [me, query, client, accept, dropOtherUsersData],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
