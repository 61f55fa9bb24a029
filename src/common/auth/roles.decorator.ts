import { SetMetadata } from '@nestjs/common';
import { ROLES, type Principal, type Role } from './principal';

export const REQUIRED_ROLES = 'auth:roles';

/**
 * Who may call the route: the token needs at least one of these roles. Every route that is not
 * @Public() must declare its roles (on the handler or its controller); JwtAuthGuard refuses a
 * route that declares none, so a new route that forgets cannot be called by anyone.
 *
 * The matrix (README "Security"): agents, supervisors and admins handle their tenant's
 * conversations, contacts, calls, messages and attachments; playing a customer on the simulator
 * is for supervisors and admins (training, demos); the WebSocket's `tenant` topic and other
 * agents' topics need supervisor or admin (src/events/domain/topics.ts).
 *
 * Only such a route has a caller, so only its answers are masked for callers who may not see
 * personal data in clear (common/masking/masked-answers.ts).
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

/** The roles a route declared, the handler's winning over its controller's; undefined when none. */
export function declaredRoles(handler: object, controller: object): readonly Role[] | undefined {
  const roles = (Reflect.getMetadata(REQUIRED_ROLES, handler) ?? Reflect.getMetadata(REQUIRED_ROLES, controller)) as Role[] | undefined;
  return roles && roles.length > 0 ? roles : undefined;
}

/** Why the caller may not use a route needing `needed`, or undefined when it may. */
export function roleRefusal(principal: Pick<Principal, 'roles'>, needed: readonly Role[] | undefined): string | undefined {
  if (!needed) return 'this operation declares no roles, so no token may call it';
  if (principal.roles.some((role) => needed.includes(role))) return undefined;
  const held = principal.roles.length > 0 ? `the token has ${principal.roles.join(', ')}` : `the token has none of ${ROLES.join(', ')}`;
  return `this operation needs one of the roles ${needed.join(', ')}; ${held}`;
}
