/**
 * `npm run gen-schema`: writes the native provider's package schema (provider/plugin/schema.ts) to
 * provider/plugin/schema.json, formatted as the repository's Prettier settings format it (so `npm run lint`
 * passes). A unit test fails while the checked-in file says something else. Give a path to write somewhere else.
 */
import { packageSchema } from "../provider/plugin/schema";
import { formatted, generate } from "./lib/generated";

/** The schema file's text: the schema as JSON, formatted by Prettier with the settings that apply to `file`. */
export function schemaText(file: string): Promise<string> {
  return formatted(JSON.stringify(packageSchema()), file);
}

if (require.main === module) generate("provider/plugin/schema.json", schemaText);
