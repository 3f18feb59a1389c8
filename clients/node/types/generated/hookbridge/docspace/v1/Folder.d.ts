import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
/**
 * folder.*: the folder (FolderWebhookDto, the folder half of the REST
 * FolderDto).
 */
export interface Folder {
    /**
     * The folder id.
     */
    'id'?: (string);
    /**
     * The id of the parent folder (or room).
     */
    'parent_id'?: (string);
    /**
     * The id of the section root the folder is under.
     */
    'root_folder_id'?: (string);
    /**
     * The folder name.
     */
    'title'?: (string);
    /**
     * FileEntryType: 1 for a folder.
     */
    'file_entry_type'?: (number);
    /**
     * When the folder was created, and by whom.
     */
    'created'?: (_google_protobuf_Timestamp | null);
    'created_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * When the folder was last changed, and by whom.
     */
    'updated'?: (_google_protobuf_Timestamp | null);
    'updated_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * FolderType of the section root.
     */
    'root_folder_type'?: (number);
    /**
     * FolderType of the room the folder is in, if any.
     */
    'parent_room_type'?: (number);
    /**
     * Where the folder was before it was moved to the trash: folder and room.
     */
    'origin_id'?: (string);
    'origin_room_id'?: (string);
    'origin_title'?: (string);
    'origin_room_title'?: (string);
    /**
     * Whether the folder is in a connected third-party storage.
     */
    'provider_item'?: (boolean);
    /**
     * The third-party storage and its connection id.
     */
    'provider_key'?: (string);
    'provider_id'?: (number);
    /**
     * Position within an indexed room.
     */
    'order'?: (number);
    /**
     * Files and folders directly inside.
     */
    'files_count'?: (number);
    'folders_count'?: (number);
    /**
     * FolderType of this folder.
     */
    'type'?: (number);
    /**
     * Whether the folder can be shared.
     */
    'is_shareable'?: (boolean);
    /**
     * Older DocSpace versions (see File).
     */
    'root_id'?: (string);
    'create_by'?: (string);
    'create_on'?: (_google_protobuf_Timestamp | null);
    'modified_by'?: (string);
    'modified_on'?: (_google_protobuf_Timestamp | null);
}
/**
 * folder.*: the folder (FolderWebhookDto, the folder half of the REST
 * FolderDto).
 */
export interface Folder__Output {
    /**
     * The folder id.
     */
    'id': (string);
    /**
     * The id of the parent folder (or room).
     */
    'parent_id': (string);
    /**
     * The id of the section root the folder is under.
     */
    'root_folder_id': (string);
    /**
     * The folder name.
     */
    'title': (string);
    /**
     * FileEntryType: 1 for a folder.
     */
    'file_entry_type': (number);
    /**
     * When the folder was created, and by whom.
     */
    'created': (_google_protobuf_Timestamp__Output | null);
    'created_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * When the folder was last changed, and by whom.
     */
    'updated': (_google_protobuf_Timestamp__Output | null);
    'updated_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * FolderType of the section root.
     */
    'root_folder_type': (number);
    /**
     * FolderType of the room the folder is in, if any.
     */
    'parent_room_type': (number);
    /**
     * Where the folder was before it was moved to the trash: folder and room.
     */
    'origin_id': (string);
    'origin_room_id': (string);
    'origin_title': (string);
    'origin_room_title': (string);
    /**
     * Whether the folder is in a connected third-party storage.
     */
    'provider_item': (boolean);
    /**
     * The third-party storage and its connection id.
     */
    'provider_key': (string);
    'provider_id': (number);
    /**
     * Position within an indexed room.
     */
    'order': (number);
    /**
     * Files and folders directly inside.
     */
    'files_count': (number);
    'folders_count': (number);
    /**
     * FolderType of this folder.
     */
    'type': (number);
    /**
     * Whether the folder can be shared.
     */
    'is_shareable': (boolean);
    /**
     * Older DocSpace versions (see File).
     */
    'root_id': (string);
    'create_by': (string);
    'create_on': (_google_protobuf_Timestamp__Output | null);
    'modified_by': (string);
    'modified_on': (_google_protobuf_Timestamp__Output | null);
}
