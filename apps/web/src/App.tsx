import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zh from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { useSession } from './auth';
import { AppLayout } from './components/AppLayout';
import { Guard } from './components/Guard';
import { LoginPage } from './pages/auth/LoginPage';
import { CustomerPage } from './pages/customers/CustomerPage';
import { CustomersPage } from './pages/customers/CustomersPage';
import { DebuggerPage } from './pages/customers/DebuggerPage';
import { DuplicatesPage } from './pages/customers/DuplicatesPage';
import { ImportWizardPage } from './pages/customers/ImportWizardPage';
import { ImportsPage } from './pages/customers/ImportsPage';
import { SourcesPage } from './pages/customers/SourcesPage';
import { HomePage } from './pages/home/HomePage';
import { LeadPage } from './pages/leads/LeadPage';
import { LeadsPage } from './pages/leads/LeadsPage';
import { NewLeadPage } from './pages/leads/NewLeadPage';
import { WorkbenchPage } from './pages/leads/WorkbenchPage';
import { NotificationsPage } from './pages/notifications/NotificationsPage';
import { ProfilePage } from './pages/me/ProfilePage';
import { ApiKeysPage } from './pages/settings/ApiKeysPage';
import { AuditPage } from './pages/settings/AuditPage';
import { CustomerDataPage } from './pages/settings/CustomerDataPage';
import { LeadSettingsPage } from './pages/settings/LeadSettingsPage';
import { OrgPage } from './pages/settings/OrgPage';
import { RolesPage } from './pages/settings/RolesPage';
import { RoutingRulesPage } from './pages/settings/RoutingRulesPage';
import { UsersPage } from './pages/settings/UsersPage';
import { WebhooksPage } from './pages/settings/WebhooksPage';

function Protected() {
  const { me, loading } = useSession();
  if (loading) return <Spin fullscreen />;
  if (!me) return <Navigate to="/login" replace />;
  return <AppLayout />;
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zh} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6 } }}>
      <AntApp>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route element={<Protected />}>
              <Route index element={<HomePage />} />
              <Route
                path="customers"
                element={
                  <Guard permission="customers.read">
                    <CustomersPage />
                  </Guard>
                }
              />
              <Route
                path="customers/duplicates"
                element={
                  <Guard permission="customers.merge">
                    <DuplicatesPage />
                  </Guard>
                }
              />
              <Route
                path="customers/imports"
                element={
                  <Guard permission="imports.run">
                    <ImportsPage />
                  </Guard>
                }
              />
              <Route
                path="customers/imports/new"
                element={
                  <Guard permission="imports.run">
                    <ImportWizardPage />
                  </Guard>
                }
              />
              <Route
                path="customers/imports/:id"
                element={
                  <Guard permission="imports.run">
                    <ImportWizardPage />
                  </Guard>
                }
              />
              <Route
                path="customers/sources"
                element={
                  <Guard permission="sources.manage">
                    <SourcesPage />
                  </Guard>
                }
              />
              <Route
                path="customers/sources/:id/debugger"
                element={
                  <Guard permission="sources.manage">
                    <DebuggerPage />
                  </Guard>
                }
              />
              <Route
                path="customers/:id"
                element={
                  <Guard permission="customers.read">
                    <CustomerPage />
                  </Guard>
                }
              />
              <Route
                path="leads"
                element={
                  <Guard permission="leads.read">
                    <LeadsPage />
                  </Guard>
                }
              />
              <Route
                path="leads/workbench"
                element={
                  <Guard permission="leads.read">
                    <WorkbenchPage />
                  </Guard>
                }
              />
              <Route
                path="leads/new"
                element={
                  <Guard permission="leads.create">
                    <NewLeadPage />
                  </Guard>
                }
              />
              <Route
                path="leads/:id"
                element={
                  <Guard permission="leads.read">
                    <LeadPage />
                  </Guard>
                }
              />
              <Route
                path="settings/routing"
                element={
                  <Guard permission="leads.configure">
                    <RoutingRulesPage />
                  </Guard>
                }
              />
              <Route
                path="settings/leads"
                element={
                  <Guard permission="leads.configure">
                    <LeadSettingsPage />
                  </Guard>
                }
              />
              <Route
                path="settings/org"
                element={
                  <Guard permission="org.read">
                    <OrgPage />
                  </Guard>
                }
              />
              <Route
                path="settings/users"
                element={
                  <Guard permission="users.read">
                    <UsersPage />
                  </Guard>
                }
              />
              <Route
                path="settings/roles"
                element={
                  <Guard permission="roles.read">
                    <RolesPage />
                  </Guard>
                }
              />
              <Route
                path="settings/api-keys"
                element={
                  <Guard permission="api_keys.manage">
                    <ApiKeysPage />
                  </Guard>
                }
              />
              <Route
                path="settings/audit"
                element={
                  <Guard permission="audit.read">
                    <AuditPage />
                  </Guard>
                }
              />
              <Route
                path="settings/customer-data"
                element={
                  <Guard permission="customers.configure">
                    <CustomerDataPage />
                  </Guard>
                }
              />
              <Route
                path="settings/webhooks"
                element={
                  <Guard permission="webhooks.manage">
                    <WebhooksPage />
                  </Guard>
                }
              />
              <Route path="notifications" element={<NotificationsPage />} />
              <Route path="me" element={<ProfilePage />} />
              <Route path="*" element={<Navigate to="/" replace />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
