// ESLint flat config for EOForge: typescript-eslint plus nx module boundaries
// (core <- algorithms/io <- pipeline <- cli).
import nx from "@nx/eslint-plugin"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "out/**", "reports/**", ".nx/**", "fixtures/**"]
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "@nx": nx },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }
      ],
      "@typescript-eslint/no-explicit-any": "off",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "No default exports in EOForge." }
      ],
      "@nx/enforce-module-boundaries": [
        "error",
        {
          // The hostile-file generator, the S3/login/ASF test servers, the S1 simulator's scenes, the Earth Engine
          // double and the static STAC generator and web server in tools/ are shared by several packages' tests.
          allow: [
            "tools/hostile/(files|fuzz|measure)\\.ts$",
            "tools/servers/(s3|sigv4|login|asf)\\.ts$",
            "tools/s1-sim/scenes\\.ts$",
            "tools/earthengine-double/(server|synthetic)\\.ts$",
            "tools/static-stac/(generate|server)\\.ts$"
          ],
          depConstraints: [
            { sourceTag: "scope:core", onlyDependOnLibsWithTags: ["scope:core"] },
            { sourceTag: "scope:algo", onlyDependOnLibsWithTags: ["scope:core", "scope:algo"] },
            { sourceTag: "scope:access", onlyDependOnLibsWithTags: ["scope:core"] },
            {
              sourceTag: "scope:io",
              onlyDependOnLibsWithTags: ["scope:core", "scope:algo", "scope:access"]
            },
            {
              sourceTag: "scope:source",
              onlyDependOnLibsWithTags: [
                "scope:core",
                "scope:algo",
                "scope:access",
                "scope:io",
                "scope:source"
              ]
            },
            {
              sourceTag: "scope:pipeline",
              onlyDependOnLibsWithTags: [
                "scope:core",
                "scope:algo",
                "scope:access",
                "scope:io",
                "scope:source"
              ]
            },
            {
              sourceTag: "scope:cli",
              onlyDependOnLibsWithTags: [
                "scope:core",
                "scope:algo",
                "scope:access",
                "scope:io",
                "scope:source",
                "scope:pipeline"
              ]
            }
          ]
        }
      ]
    }
  },
  {
    files: ["vitest.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" }
  }
)
