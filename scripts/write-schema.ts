// `npm run schema`: writes the ChainSpec JSON Schema and parameter reference from the stage
// definitions (src/core/chain/stages.ts), the single source of both.
import { writeFileSync } from "node:fs";
import { chainSpecJsonSchema, chainSpecMarkdown } from "../src/core/chain/spec.js";

writeFileSync("schema/chainspec.schema.json", JSON.stringify(chainSpecJsonSchema(), null, 2) + "\n");
writeFileSync("docs/chainspec.md", chainSpecMarkdown());
console.log("wrote schema/chainspec.schema.json and docs/chainspec.md");
