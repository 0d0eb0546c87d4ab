/**
 * What counts as a unit in each grammar: the syntax nodes that become chunks of their own
 * (functions, methods, classes and their kin), their kind and their name. A node that is not a
 * unit is plain code: it is kept (as `module` code, or as part of its enclosing unit) and only
 * looked into when it is too big for one chunk.
 */
import type { Node } from 'web-tree-sitter';
import type { GrammarId } from './grammars.js';

/** `function` becomes `method` when the enclosing unit is a class-like one. */
export type UnitKind = 'function' | 'method' | 'class';

export interface UnitInfo {
  readonly kind: UnitKind;
  readonly name: string;
  /** A qualifier put before the name in the symbol path (a Go method's receiver type). */
  readonly scope?: string;
}

type Classifier = (node: Node) => UnitInfo | undefined;

const MAX_NAME_CHARS = 80;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_NAME_CHARS ? `${flat.slice(0, MAX_NAME_CHARS)}…` : flat;
}

function fieldText(node: Node, field: string): string | undefined {
  const child = node.childForFieldName(field);
  return child === null ? undefined : clip(child.text);
}

const nameOf = (node: Node): string => fieldText(node, 'name') ?? '(anonymous)';

/** Tables of node type → kind, named by their `name` field. */
function byType(table: Record<string, UnitKind>): Classifier {
  const types = new Map(Object.entries(table));
  return (node) => {
    const kind = types.get(node.type);
    return kind === undefined ? undefined : { kind, name: nameOf(node) };
  };
}

function firstOf(...classifiers: Classifier[]): Classifier {
  return (node) => {
    for (const classify of classifiers) {
      const info = classify(node);
      if (info !== undefined) return info;
    }
    return undefined;
  };
}

/** A wrapper node (export, decorator, template) is the unit its wrapped declaration is. */
function unwrap(types: readonly string[], inner: () => Classifier): Classifier {
  const set = new Set(types);
  return (node) => {
    if (!set.has(node.type)) return undefined;
    for (const child of node.namedChildren) {
      const info = inner()(child);
      if (info !== undefined) return info;
    }
    return undefined;
  };
}

// --- JavaScript / TypeScript / TSX ---------------------------------------------------------

const FUNCTION_VALUES = new Set([
  'arrow_function',
  'function_expression',
  'function',
  'generator_function',
  'async_function',
]);
const CLASS_VALUES = new Set(['class', 'class_expression']);

function valueUnit(name: string, value: Node | null): UnitInfo | undefined {
  if (value === null) return undefined;
  if (FUNCTION_VALUES.has(value.type)) return { kind: 'function', name };
  if (CLASS_VALUES.has(value.type)) return { kind: 'class', name };
  return undefined;
}

const jsDeclarations = byType({
  function_declaration: 'function',
  generator_function_declaration: 'function',
  function_signature: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  interface_declaration: 'class',
  type_alias_declaration: 'class',
  enum_declaration: 'class',
  internal_module: 'class',
  module: 'class',
  method_definition: 'method',
  abstract_method_signature: 'method',
});

const jsBindings: Classifier = (node) => {
  switch (node.type) {
    // `const parse = (text) => …`, one declarator only (several are plain code).
    case 'lexical_declaration':
    case 'variable_declaration': {
      const declarators = node.namedChildren.filter((child) => child.type === 'variable_declarator');
      const [only] = declarators;
      if (declarators.length !== 1 || only === undefined) return undefined;
      return valueUnit(nameOf(only), only.childForFieldName('value'));
    }
    // `Foo.prototype.bar = function () {…}`, `module.exports.parse = (…) => …`
    case 'expression_statement': {
      const [expression] = node.namedChildren;
      if (expression === undefined) return undefined;
      if (expression.type === 'internal_module') return jsDeclarations(expression);
      if (expression.type !== 'assignment_expression') return undefined;
      const left = expression.childForFieldName('left');
      return left === null ? undefined : valueUnit(clip(left.text), expression.childForFieldName('right'));
    }
    // Class fields holding functions: `handle = async () => {…}`.
    case 'public_field_definition':
    case 'field_definition': {
      const name = fieldText(node, 'name') ?? fieldText(node, 'property');
      const info = name === undefined ? undefined : valueUnit(name, node.childForFieldName('value'));
      return info?.kind === 'function' ? { kind: 'method', name: info.name } : info;
    }
    // Object literal members holding functions: `{ parse(text) {…}, run: () => … }`.
    case 'pair': {
      const key = fieldText(node, 'key');
      return key === undefined ? undefined : valueUnit(key, node.childForFieldName('value'));
    }
    default:
      return undefined;
  }
};

const jsExport: Classifier = (node) => {
  if (node.type !== 'export_statement' && node.type !== 'ambient_declaration') return undefined;
  const declaration = node.childForFieldName('declaration');
  for (const child of declaration === null ? node.namedChildren : [declaration]) {
    const info = javascript(child);
    if (info !== undefined) return info.name === '(anonymous)' ? { ...info, name: 'default' } : info;
  }
  return undefined;
};

const javascript: Classifier = firstOf(jsDeclarations, jsBindings, jsExport);

// --- Python ------------------------------------------------------------------------------------

const python: Classifier = firstOf(
  byType({ function_definition: 'function', class_definition: 'class' }),
  unwrap(['decorated_definition'], () => python),
);

// --- Go ------------------------------------------------------------------------------------------

function goReceiverType(node: Node): string | undefined {
  const receiver = node.childForFieldName('receiver');
  const parameter = receiver?.namedChildren.find((child) => child.type === 'parameter_declaration');
  const type = parameter?.childForFieldName('type');
  if (type === undefined || type === null) return undefined;
  return clip(type.text.replace(/^\*/, '').replace(/\[.*$/, ''));
}

const go: Classifier = (node) => {
  switch (node.type) {
    case 'function_declaration':
      return { kind: 'function', name: nameOf(node) };
    case 'method_declaration': {
      const scope = goReceiverType(node);
      return scope === undefined
        ? { kind: 'method', name: nameOf(node) }
        : { kind: 'method', name: nameOf(node), scope };
    }
    case 'type_declaration': {
      const specs = node.namedChildren.filter((child) => child.type === 'type_spec' || child.type === 'type_alias');
      return { kind: 'class', name: specs.map(nameOf).join(', ') || '(anonymous)' };
    }
    default:
      return undefined;
  }
};

// --- Java, C# ----------------------------------------------------------------------------------

const java = byType({
  class_declaration: 'class',
  interface_declaration: 'class',
  enum_declaration: 'class',
  record_declaration: 'class',
  annotation_type_declaration: 'class',
  method_declaration: 'method',
  constructor_declaration: 'method',
  compact_constructor_declaration: 'method',
});

const csharp = byType({
  class_declaration: 'class',
  struct_declaration: 'class',
  interface_declaration: 'class',
  enum_declaration: 'class',
  record_declaration: 'class',
  record_struct_declaration: 'class',
  namespace_declaration: 'class',
  method_declaration: 'method',
  constructor_declaration: 'method',
  destructor_declaration: 'method',
  operator_declaration: 'method',
  property_declaration: 'method',
  local_function_statement: 'function',
});

// --- Rust --------------------------------------------------------------------------------------

const rust: Classifier = (node) => {
  if (node.type === 'impl_item') {
    const type = fieldText(node, 'type') ?? '(anonymous)';
    const trait = fieldText(node, 'trait');
    return { kind: 'class', name: trait === undefined ? type : `${trait} for ${type}` };
  }
  return byType({
    function_item: 'function',
    function_signature_item: 'function',
    struct_item: 'class',
    enum_item: 'class',
    union_item: 'class',
    trait_item: 'class',
    mod_item: 'class',
    macro_definition: 'function',
  })(node);
};

// --- C, C++ ------------------------------------------------------------------------------------

/** The declared name inside a C declarator chain (`*foo(int)`, `ns::A::f() const`). */
function declaratorName(node: Node): string {
  let current: Node | null = node.childForFieldName('declarator');
  for (let depth = 0; current !== null && depth < 16; depth += 1) {
    const inner = current.childForFieldName('declarator');
    if (inner === null) return clip(current.text);
    current = inner;
  }
  return '(anonymous)';
}

const cFamily = (extra: Record<string, UnitKind>): Classifier => {
  const specifiers = byType({ struct_specifier: 'class', union_specifier: 'class', enum_specifier: 'class', ...extra });
  const classify: Classifier = (node) => {
    switch (node.type) {
      case 'function_definition':
        return { kind: 'function', name: declaratorName(node) };
      case 'type_definition':
        return { kind: 'class', name: declaratorName(node) };
      case 'template_declaration':
        return unwrap(['template_declaration'], () => classify)(node);
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
      case 'class_specifier':
        // A bare `struct foo *p;` mention is not a definition: only bodies count.
        return node.childForFieldName('body') === null ? undefined : specifiers(node);
      case 'declaration': {
        // `struct foo { … };` and `class A { … };` parse as declarations in C++.
        const type = node.childForFieldName('type');
        return type === null || node.childForFieldName('declarator') !== null ? undefined : classify(type);
      }
      default:
        return specifiers(node);
    }
  };
  return classify;
};

const c = cFamily({});
const cpp = cFamily({ class_specifier: 'class', namespace_definition: 'class' });

// --- Ruby, PHP ---------------------------------------------------------------------------------

const ruby: Classifier = (node) => {
  switch (node.type) {
    case 'method':
      return { kind: 'function', name: nameOf(node) };
    case 'singleton_method':
      return { kind: 'function', name: `self.${nameOf(node)}` };
    case 'class':
    case 'module':
      return { kind: 'class', name: nameOf(node) };
    case 'singleton_class':
      return { kind: 'class', name: 'class << self' };
    default:
      return undefined;
  }
};

const php: Classifier = (node) => {
  // `namespace App;` is a statement; only the braced form encloses units.
  if (node.type === 'namespace_definition')
    return node.childForFieldName('body') === null ? undefined : { kind: 'class', name: nameOf(node) };
  return byType({
    function_definition: 'function',
    method_declaration: 'method',
    class_declaration: 'class',
    interface_declaration: 'class',
    trait_declaration: 'class',
    enum_declaration: 'class',
  })(node);
};

const CLASSIFIERS: Record<GrammarId, Classifier> = {
  typescript: javascript,
  tsx: javascript,
  javascript,
  python,
  go,
  java,
  rust,
  c,
  cpp,
  c_sharp: csharp,
  ruby,
  php,
};

export function classifierFor(grammar: GrammarId): Classifier {
  return CLASSIFIERS[grammar];
}

/** Nodes that belong to the unit right after them: comments, doc comments, attributes. */
export function isLeading(node: Node): boolean {
  return node.type.includes('comment') || node.type === 'attribute_item' || node.type === 'decorator';
}
