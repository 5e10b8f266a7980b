import { CdpSettingsView, SaveCdpSettings } from '@forecourt/contracts';
import { errors, type App, type Services } from '../../platform/http.js';
import { getSettingsView, saveSettings } from './settings.js';

const configure = { permission: 'customers.configure', scope: 'tenant' } as const;

/** The tenant's One ID rules: identity types, guardrails, survivorship, source priority, visibility. */
export function cdpSettingsRoutes(app: App, s: Services) {
  app.get('/api/settings/customer-data', {
    config: { access: configure },
    schema: {
      tags: ['customers'],
      summary: 'One ID rules and customer visibility of this tenant, with the defaults',
      response: { 200: CdpSettingsView, ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getSettingsView(ctx)),
  });
  app.put('/api/settings/customer-data', {
    config: { access: configure },
    schema: {
      tags: ['customers'],
      summary: 'Replace the One ID rules (optimistic: send the version you loaded); audited',
      body: SaveCdpSettings,
      response: { 200: CdpSettingsView, ...errors(400, 401, 403, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => saveSettings(ctx, req.body)),
  });
}
