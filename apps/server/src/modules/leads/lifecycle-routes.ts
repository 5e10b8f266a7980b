import type { App, Services } from '../../platform/http.js';
import { activityRoutes } from './activity-routes.js';
import { lostRequestRoutes } from './lost-request-routes.js';
import { orderRoutes } from './order-routes.js';
import { stageRoutes } from './stage-routes.js';
import { taskRoutes } from './task-routes.js';

/** Working a lead after intake: activities, tasks, orders, lost requests, stage moves. */
export function leadLifecycleRoutes(app: App, s: Services) {
  activityRoutes(app, s);
  taskRoutes(app, s);
  orderRoutes(app, s);
  lostRequestRoutes(app, s);
  stageRoutes(app, s);
}
