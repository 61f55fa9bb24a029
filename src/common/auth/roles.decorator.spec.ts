import type { Role } from './principal';
import { declaredRoles, roleRefusal, Roles } from './roles.decorator';

describe('roleRefusal', () => {
  const everyone: Role[] = ['agent', 'supervisor', 'admin'];
  it.each<[Role[], readonly Role[] | undefined, string | undefined]>([
    [['agent'], everyone, undefined],
    [['admin'], everyone, undefined],
    [['agent', 'supervisor'], ['supervisor', 'admin'], undefined],
    [['agent'], ['supervisor', 'admin'], 'this operation needs one of the roles supervisor, admin; the token has agent'],
    [[], everyone, 'this operation needs one of the roles agent, supervisor, admin; the token has none of agent, supervisor, admin'],
    [everyone, undefined, 'this operation declares no roles, so no token may call it'],
  ])('a token with %j on a route needing %j: %s', (roles, needed, refusal) => {
    expect(roleRefusal({ roles }, needed)).toBe(refusal);
  });
});

describe('declaredRoles', () => {
  @Roles('agent', 'supervisor')
  class Declared {
    plain(): void {}
    @Roles('admin') narrowed(): void {}
  }
  class Undeclared {
    plain(): void {}
  }

  it('takes the handler’s roles over its controller’s, and says when there are none', () => {
    expect(declaredRoles(Declared.prototype.plain, Declared)).toEqual(['agent', 'supervisor']);
    expect(declaredRoles(Declared.prototype.narrowed, Declared)).toEqual(['admin']);
    expect(declaredRoles(Undeclared.prototype.plain, Undeclared)).toBeUndefined();
  });
});
