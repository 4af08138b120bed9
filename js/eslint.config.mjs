// ESLint for the JupyterLab extension: the TypeScript sources in src/, type-aware.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/', 'node_modules/', 'style/', '../jupyter_dashmon/labextension/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['src/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // Lumino's Signal.connect(slot, thisArg) calls the slot with thisArg.
      '@typescript-eslint/unbound-method': 'off',
      // A rejection passed on from another promise keeps whatever reason it had.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }]
    }
  },
  {
    // The config file itself is plain JavaScript outside the TypeScript project.
    files: ['*.mjs'],
    extends: [tseslint.configs.disableTypeChecked]
  }
);
