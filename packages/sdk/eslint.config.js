import shared from '@latchkey/eslint-config';

// The shared config lints with type information, and this .js file is in no tsconfig, so let
// the project service give it a default project instead of failing to parse it.
export default [
  ...shared,
  {
    files: ['eslint.config.js'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] } },
    },
  },
];
