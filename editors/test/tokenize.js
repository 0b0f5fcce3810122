// Tokenizes every .kb file under the given folders (default: rules/ and
// tests/fmt/) with the TextMate grammar, as VS Code would, and fails when
//  - the grammar is not valid JSON,
//  - a file ends with a scope still open (an unterminated begin/end rule),
//  - a non-blank piece of text gets no scope of its own (the grammar does
//    not know it).
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const repo = path.resolve(__dirname, "..", "..");
const grammarPath = path.join(repo, "editors/vscode/syntaxes/kb.tmLanguage.json");

function kbFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...kbFiles(p));
    else if (entry.name.endsWith(".kb")) out.push(p);
  }
  return out.sort();
}

async function main() {
  const grammarText = fs.readFileSync(grammarPath, "utf8");
  let grammarJson;
  try {
    grammarJson = JSON.parse(grammarText);
  } catch (e) {
    console.error(`kb.tmLanguage.json is not valid JSON: ${e.message}`);
    process.exit(1);
  }
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.kb" ? vsctm.parseRawGrammar(grammarText, grammarPath) : null,
  });
  const grammar = await registry.loadGrammar("source.kb");
  if (!grammar || grammarJson.scopeName !== "source.kb") {
    console.error("the grammar did not load as source.kb");
    process.exit(1);
  }
  const baseDepth = grammar.tokenizeLine("", vsctm.INITIAL).ruleStack.depth;
  const dirs = process.argv.slice(2);
  const roots = dirs.length ? dirs : ["rules", "tests/fmt"];
  let passed = 0;
  let failed = 0;
  for (const root of roots) {
    for (const file of kbFiles(path.resolve(repo, root))) {
      const problems = [];
      let stack = vsctm.INITIAL;
      const lines = fs.readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        const r = grammar.tokenizeLine(line, stack);
        for (const t of r.tokens) {
          const text = line.slice(t.startIndex, t.endIndex);
          if (text.trim() !== "" && t.scopes.length < 2) {
            problems.push(`${i + 1}:${t.startIndex + 1}: no scope for ${JSON.stringify(text)}`);
          }
        }
        stack = r.ruleStack;
      });
      if (stack.depth !== baseDepth) {
        problems.push("a scope is still open at the end of the file");
      }
      const rel = path.relative(repo, file);
      if (problems.length) {
        failed++;
        console.error(`FAIL ${rel}\n  ${problems.slice(0, 10).join("\n  ")}`);
      } else {
        passed++;
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || passed === 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
