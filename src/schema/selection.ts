// What a response asks for below a field, read from the operation, so that a loader can
// leave out what nobody will see (a log line's data when only its time is selected).
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Every field selected directly in `set`, through fragments and inline fragments. */
function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, into: FieldNode[] = []): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, info, into);
    else fieldsOf(info.fragments[selection.name.value]?.selectionSet, info, into);
  }
  return into;
}

/** Names of the fields a connection's items are asked for: under `nodes` and under `edges { node }`. */
export function nodeFieldNames(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  for (const field of info.fieldNodes) {
    for (const child of fieldsOf(field.selectionSet, info)) {
      const items =
        child.name.value === 'nodes'
          ? [child]
          : child.name.value === 'edges'
            ? fieldsOf(child.selectionSet, info).filter((edgeField) => edgeField.name.value === 'node')
            : [];
      for (const item of items) for (const leaf of fieldsOf(item.selectionSet, info)) names.add(leaf.name.value);
    }
  }
  return names;
}
