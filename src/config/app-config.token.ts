/**
 * Injects the `AppConfig` where importing its class at run time would close an import loop: the
 * providers' webhook guards are loaded by the providers' list, which `config.schema.ts` imports.
 * Use with `import type { AppConfig }` and `@Inject(APP_CONFIG)`.
 */
export const APP_CONFIG = 'AppConfig';
