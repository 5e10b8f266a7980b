import { App, Button, Card, Col, Form, Input, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, patch, post, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import type { Language } from '../../i18n';

export function ProfilePage() {
  const { t } = useTranslation();
  const { me, setLanguage, refresh } = useSession();
  const { message } = App.useApp();
  const [pwForm] = Form.useForm();
  if (!me) return null;

  const saveProfile = async (v: { displayName: string; locale: Language }) => {
    await patch('/api/me', { displayName: v.displayName });
    if (v.locale !== me.user.locale) await setLanguage(v.locale);
    await refresh();
    message.success(t('common.saved'));
  };

  const changePassword = async (v: { currentPassword: string; newPassword: string }) => {
    try {
      await post('/api/me/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
      pwForm.resetFields();
      message.success(t('me.changed'));
    } catch (e) {
      showFieldErrors(pwForm, e);
      if (!(e instanceof ApiError) || Object.keys(e.fieldErrors()).length === 0)
        message.error(e instanceof ApiError ? e.display : String(e));
    }
  };

  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Card title={t('me.profile')}>
          <Form
            layout="vertical"
            initialValues={{ displayName: me.user.displayName, locale: me.user.locale }}
            onFinish={(v) => void saveProfile(v)}
          >
            <Form.Item label={t('users.login')}>
              <Input value={me.user.login} disabled />
            </Form.Item>
            <Form.Item name="displayName" label={t('me.displayName')} rules={[{ required: true, max: 64 }]}>
              <Input />
            </Form.Item>
            <Form.Item name="locale" label={t('me.language')}>
              <Select
                options={[
                  { value: 'zh-CN', label: '中文（简体）' },
                  { value: 'en', label: 'English' },
                ]}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t('common.save')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} md={12}>
        <Card title={t('me.changePassword')}>
          <Form form={pwForm} layout="vertical" onFinish={(v) => void changePassword(v)}>
            <Form.Item name="currentPassword" label={t('me.current')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Form.Item name="newPassword" label={t('me.next')} extra={t('users.passwordHint')} rules={[{ required: true, min: 10 }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              name="repeat"
              label={t('me.repeat')}
              dependencies={['newPassword']}
              rules={[
                { required: true },
                ({ getFieldValue }) => ({
                  validator: (_, v) =>
                    v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('me.mismatch'))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t('common.save')}
            </Button>
          </Form>
        </Card>
      </Col>
    </Row>
  );
}
