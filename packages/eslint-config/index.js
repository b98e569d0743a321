// Shared flat config: typescript-eslint's type-aware recommended rules, plus the few
// rules that catch the mistakes that matter in security code (floating promises, any),
// and no import cycles anywhere.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // dist-*: older builds kept beside dist for bench/src/compare-builds.ts.
  { ignores: ['dist/**', 'dist-*/**', 'coverage/**', '.next/**', 'next-env.d.ts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Config files such as eslint.config.js sit outside every tsconfig; give them a default
      // project instead of failing to parse them.
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // A cycle makes the load order decide what a module sees at start-up (an import still
    // undefined), and says two parts lean on each other so neither can change alone. The
    // resolver maps the `.js` specifiers of ESM TypeScript to their `.ts` sources; what
    // lies under node_modules is not walked (ignoreExternal), which keeps lint fast.
    plugins: { 'import-x': importX },
    settings: {
      // Without these the rule skips every .ts module it meets.
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts', '.cts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Plain-JS fixtures that tests run as processes of their own sit outside every tsconfig,
    // so they get the syntax rules without the type-aware ones.
    files: ['test/fixtures/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
