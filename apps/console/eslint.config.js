export { default } from '@latchkey/eslint-config';
