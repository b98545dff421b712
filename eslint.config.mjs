import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", ".build/**", "node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-this-alias": "off",
      // Heavy or optional modules (gettext parsing, peers in bench) load lazily with require().
      "@typescript-eslint/no-require-imports": "off",
      "no-control-regex": "off",
    },
  },
  { files: ["examples/**/static/**/*.js"], languageOptions: { globals: globals.browser } },
  { files: ["**/*.js", "**/*.mjs"], ignores: ["examples/**/static/**"], languageOptions: { globals: globals.node } },
);
