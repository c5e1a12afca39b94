// Lint: typescript-eslint's recommended set; type-aware rules are left to `tsc --noEmit`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'certs/dev/', 'test/.tmp/', 'bench/.tmp/', 'charts/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
