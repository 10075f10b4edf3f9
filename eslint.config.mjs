// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Node built-ins, bare and with the `node:` prefix. */
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);

/** Modules that do I/O or hold state outside the workflow sandbox. */
const ioModules = ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', '.tools/', '.agent/', 'coverage/', 'test-output/', 'test/fixtures/'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Small files with one job. Every line counts (blank lines and comments included): a file
    // that needs more than 300 lines holds more than one job.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
    },
  },
  {
    // Workflow code must stay deterministic, and src/plan and src/contracts are imported by it: no
    // Node APIs, no I/O.
    files: ['src/workflows/**/*.ts', 'src/plan/**/*.ts', 'src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioModules].map((name) => ({
            name,
            message: 'Workflow and plan code must be deterministic: no Node built-ins or I/O modules.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in deterministic code.' },
        { name: 'setTimeout', message: 'Use the SDK sleep() in workflows.' },
        { name: 'setInterval', message: 'Use the SDK sleep() in workflows.' },
        { name: 'require', message: 'No dynamic requires in deterministic code.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not deterministic.' },
        { object: 'Date', property: 'now', message: 'Read time through src/workflows/clock.ts only.' },
      ],
    },
  },
  {
    // The workflow bundle must not pull zod in (memory per cached workflow, SDK issue #2227).
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioModules, 'zod', 'yaml'].map((name) => ({
            name,
            message: 'Not allowed in workflow code (determinism, bundle size).',
          })),
          patterns: [
            {
              group: ['**/plan/schema', '**/plan/parse'],
              message: 'zod/yaml stay out of the workflow bundle.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      // Keep disableTypeChecked's parserOptions (projectService off): these files are in no tsconfig.
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
