import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { MaskingInterceptor } from '../masking/masking.interceptor';
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

describe('Roles and masking', () => {
  @Roles('agent')
  class Declared {
    answer(): void {}
  }
  class Undeclared {
    @Roles('admin')
    answer(): void {}
    webhook(): void {}
  }
  const interceptors = (target: object): unknown[] => (Reflect.getMetadata(INTERCEPTORS_METADATA, target) as unknown[] | undefined) ?? [];

  it('puts the masking interceptor on every route declaring roles, and only there (a route without roles has no caller)', () => {
    expect(interceptors(Declared)).toEqual([MaskingInterceptor]);
    expect(interceptors(Undeclared.prototype.answer)).toEqual([MaskingInterceptor]);
    expect(interceptors(Undeclared)).toEqual([]);
    expect(interceptors(Undeclared.prototype.webhook)).toEqual([]);
  });
});
