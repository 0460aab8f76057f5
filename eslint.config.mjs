// ESLint (flat config): typescript-eslint's type-checked rules for src/, test/, migrations/ and scripts/*.ts, plain JS
// rules for the CommonJS scripts (scripts/, bench/, jest configs). Formatting belongs to Prettier (`npm run format:check`);
// eslint-config-prettier, last, turns off every stylistic rule that could disagree with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.owlmetry/**', 'bench/results/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // Promises: every one is awaited, returned, or explicitly discarded with `void` (and then it must log its own
      // failure). These three are the reason this file exists.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Fastify/Nest accept async callbacks in places typed as returning void (hooks, `onModuleDestroy`, timers);
      // a promise in a condition or a spread is still an error.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Passing on a caught `unknown` is fine; rejecting with a string or a plain object is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Unused code: `_`-prefixed names mark a deliberately unused parameter (Nest interfaces, Express-style callbacks).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Decorated classes (modules, DTOs) are legitimately empty; Nest's `ModuleRef`-style APIs use `Function`.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    // Tests talk to HTTP responses and raw SQL rows, which are `any` by nature; asserting on them is the point.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Stubs implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // `expect(mock.fn).toHaveBeenCalled()` passes an unbound method on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  prettier,
);
