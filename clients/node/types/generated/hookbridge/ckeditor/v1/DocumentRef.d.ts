/**
 * A reference to a document by id.
 */
export interface DocumentRef {
    'id'?: (string);
}
/**
 * A reference to a document by id.
 */
export interface DocumentRef__Output {
    'id': (string);
}
