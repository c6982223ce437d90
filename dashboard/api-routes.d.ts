/** The route table the dashboard function serves as ./api-routes.js (definitions/api-routes.ts). */
export { apiRoutes } from '../definitions/api-routes.js';
