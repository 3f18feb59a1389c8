import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckbox_v1_AssetUploaded_Asset {
    'id'?: (string);
    /**
     * File name without the extension.
     */
    'name'?: (string);
    'extension'?: (string);
    /**
     * Where the original file can be downloaded.
     */
    'url'?: (string);
    /**
     * Responsive image variants: width in pixels (as a string) or "default"
     * to the image URL.
     */
    'images_urls'?: ({
        [key: string]: string;
    });
    'mime_type'?: (string);
    'category_id'?: (string);
    'size_in_bytes'?: (number | string | Long);
    'tags'?: (string)[];
    'metadata'?: (_hookbridge_ckbox_v1_AssetUploaded_Metadata | null);
}
export interface _hookbridge_ckbox_v1_AssetUploaded_Asset__Output {
    'id': (string);
    /**
     * File name without the extension.
     */
    'name': (string);
    'extension': (string);
    /**
     * Where the original file can be downloaded.
     */
    'url': (string);
    /**
     * Responsive image variants: width in pixels (as a string) or "default"
     * to the image URL.
     */
    'images_urls': ({
        [key: string]: string;
    });
    'mime_type': (string);
    'category_id': (string);
    'size_in_bytes': (string);
    'tags': (string)[];
    'metadata': (_hookbridge_ckbox_v1_AssetUploaded_Metadata__Output | null);
}
export interface _hookbridge_ckbox_v1_AssetUploaded_Metadata {
    'description'?: (string);
    'custom_attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckbox_v1_AssetUploaded_Metadata__Output {
    'description': (string);
    'custom_attributes': (_google_protobuf_Struct__Output | null);
}
export interface _hookbridge_ckbox_v1_AssetUploaded_User {
    'id'?: (string);
    /**
     * The user's role, e.g. "User" or "Admin".
     */
    'role'?: (string);
}
export interface _hookbridge_ckbox_v1_AssetUploaded_User__Output {
    'id': (string);
    /**
     * The user's role, e.g. "User" or "Admin".
     */
    'role': (string);
}
export interface AssetUploaded {
    'workspace_id'?: (string);
    'asset'?: (_hookbridge_ckbox_v1_AssetUploaded_Asset | null);
    /**
     * The user who uploaded the asset.
     */
    'user'?: (_hookbridge_ckbox_v1_AssetUploaded_User | null);
}
export interface AssetUploaded__Output {
    'workspace_id': (string);
    'asset': (_hookbridge_ckbox_v1_AssetUploaded_Asset__Output | null);
    /**
     * The user who uploaded the asset.
     */
    'user': (_hookbridge_ckbox_v1_AssetUploaded_User__Output | null);
}
