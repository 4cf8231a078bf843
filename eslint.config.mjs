// ESLint with typescript-eslint's type-checked rules over the service, its tests and the tools.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'build/**', 'node_modules/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', 'examples/**/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are how this code builds log text and keys; they are never objects.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // ws's RawData includes ArrayBuffer only for binaryType 'arraybuffer', which this code never sets: with the
      // default 'nodebuffer' a frame is a Buffer and `data.toString()` is ws's own idiom for its text.
      '@typescript-eslint/no-base-to-string': [
        'error',
        { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', 'ArrayBuffer'] },
      ],
      // `process.env.X || default` deliberately treats an empty variable as unset, which `??` would not.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // `const { drop: _drop, ...rest } = x` is how this code removes a key; the named one is unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Its hits here are guards kept on purpose against absences the types cannot see: indexing without
      // noUncheckedIndexedAccess (arrays, records, SQL rows, parsed YAML), `signal.aborted` flipped during an await,
      // optional methods of child processes without IPC, afterAll after a failed beforeAll. Removing them would
      // trade a clean skip for a TypeError.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // strict's no-non-null-assertion forbids `x!`; this stylistic rule would rewrite `x as T` into it.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // `() => resolve()` and `(x) => void run(x)` callbacks are clearer than braces around one call, and
      // `return reply(...)` in a void function is this code's early-exit idiom (no `return void`).
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // @types/jest types the asymmetric matchers (expect.any, expect.objectContaining, expect.anything…) as `any`,
    // so every matcher inside an expected literal would be an "unsafe assignment".
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // The jest configs are CommonJS files run by Node.
    files: ['**/jest.config.js', '**/jest.*.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    // CommonJS has no import: require() is how one jest config extends another.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
