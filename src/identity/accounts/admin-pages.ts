/** /id/admin/interests: staff with the administrator role edit the interest vocabulary. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './routes.ts';

export function registerAdminRoutes(_http: FastifyInstance, _ctx: RouteContext): void {}
