/**
 * The remote-control script must run in the old browsers of TV sets: ES5 at most. The TypeScript
 * compiler parses it and every node newer than ES5 fails the test, named with its line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import ts from 'typescript';

const SCRIPT = readFileSync(new URL('./assets/tv.js', import.meta.url), 'utf8');

/** Constructs newer than ES5, each with the name the failure message gives it. */
function newerThanEs5(source: string): string[] {
  const file = ts.createSourceFile('tv.js', source, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const found: string[] = [];
  const diagnostics = (file as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of diagnostics) found.push(`syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  const at = (n: ts.Node) => `line ${file.getLineAndCharacterOfPosition(n.getStart(file)).line + 1}`;
  const visit = (n: ts.Node): void => {
    const what =
      ts.isArrowFunction(n) ? 'arrow function'
      : ts.isVariableDeclarationList(n) && (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== 0 ? 'let/const'
      : ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTaggedTemplateExpression(n) ? 'template literal'
      : ts.isClassDeclaration(n) || ts.isClassExpression(n) ? 'class'
      : ts.isSpreadElement(n) || ts.isSpreadAssignment(n) ? 'spread'
      : ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n) ? 'destructuring'
      : ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isObjectLiteralExpression(n.left) || ts.isArrayLiteralExpression(n.left)) ? 'destructuring'
      : ts.isParameter(n) && (n.initializer !== undefined || n.dotDotDotToken !== undefined) ? 'default or rest parameter'
      : ts.isForOfStatement(n) ? 'for...of'
      : ts.isShorthandPropertyAssignment(n) ? 'shorthand property'
      : ts.isComputedPropertyName(n) ? 'computed property name'
      : ts.isMethodDeclaration(n) && ts.isObjectLiteralExpression(n.parent) ? 'method shorthand'
      : (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && (n.asteriskToken || ts.getCombinedModifierFlags(n) & ts.ModifierFlags.Async) ? 'generator or async function'
      : ts.isAwaitExpression(n) || ts.isYieldExpression(n) ? 'await/yield'
      : ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isExportAssignment(n) ? 'module syntax'
      : n.kind === ts.SyntaxKind.QuestionDotToken ? 'optional chaining'
      : ts.isBinaryExpression(n) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AsteriskAsteriskToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken].includes(n.operatorToken.kind) ? 'ES2016+ operator'
      : ts.isBigIntLiteral(n) ? 'BigInt'
      : undefined;
    if (what) found.push(`${what} at ${at(n)}`);
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

test('the checker finds each construct newer than ES5', () => {
  const samples: Record<string, string> = {
    'arrow function': 'var f = function () { return [1].map((x) => x); };',
    'let/const': 'let a = 1; const b = 2;',
    'template literal': 'var s = `a${1}`;',
    class: 'class A {}',
    spread: 'var a = [1]; var b = [].concat(...a);',
    destructuring: 'var { x } = { x: 1 };',
    'default or rest parameter': 'function f(a, b = 1) { return a + b; }',
    'for...of': 'for (var x of [1]) {}',
    'shorthand property': 'var x = 1; var o = { x };',
    'optional chaining': 'var o = {}; var v = o?.a;',
    'ES2016+ operator': 'var v = null ?? 1;',
  };
  for (const [what, source] of Object.entries(samples)) {
    assert.ok(newerThanEs5(source).some((f) => f.startsWith(what)), `${what} is caught in: ${source}`);
  }
  assert.deepEqual(newerThanEs5('var f = function (a) { var o = { a: a }; return o.a; };'), []);
});

test('/tv/assets/tv.js is ES5: no arrow functions, let/const, template literals, classes, spread or destructuring', () => {
  assert.deepEqual(newerThanEs5(SCRIPT), []);
  // Old browsers without addEventListener get the keys through attachEvent.
  assert.match(SCRIPT, /attachEvent\('on' \+ type, handler\)/);
  assert.match(SCRIPT, /keyCode/);
});
