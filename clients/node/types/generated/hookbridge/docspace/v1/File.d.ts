import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
import type { Long } from '@grpc/proto-loader';
/**
 * file.*: the file (FileWebhookDto, a copy of the REST FileDto without
 * per-caller fields, thumbnails and form-filling roles).
 */
export interface File {
    /**
     * The file id.
     */
    'id'?: (string);
    /**
     * The id of the folder (or room) holding the file.
     */
    'parent_id'?: (string);
    /**
     * The id of the section root the file is under (rooms, "My documents", trash...).
     */
    'root_folder_id'?: (string);
    /**
     * The file name, with extension.
     */
    'title'?: (string);
    /**
     * FileEntryType: 2 for a file.
     */
    'file_entry_type'?: (number);
    /**
     * When the file was created, and by whom.
     */
    'created'?: (_google_protobuf_Timestamp | null);
    'created_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * When the file was last changed, and by whom.
     */
    'updated'?: (_google_protobuf_Timestamp | null);
    'updated_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * FolderType of the section root (see the top of this file).
     */
    'root_folder_type'?: (number);
    /**
     * FolderType of the room the file is in, if any.
     */
    'parent_room_type'?: (number);
    /**
     * Where the file was before it was moved to the trash: folder and room.
     */
    'origin_id'?: (string);
    'origin_room_id'?: (string);
    'origin_title'?: (string);
    'origin_room_title'?: (string);
    /**
     * Whether the file is in a connected third-party storage.
     */
    'provider_item'?: (boolean);
    /**
     * The third-party storage, e.g. "GoogleDrive", and its connection id.
     */
    'provider_key'?: (string);
    'provider_id'?: (number);
    /**
     * Position within an indexed room.
     */
    'order'?: (number);
    /**
     * The version number, from 1.
     */
    'version'?: (number | string | Long);
    /**
     * The version group (versions stacked together), from 1.
     */
    'version_group'?: (number | string | Long);
    /**
     * Size in bytes.
     */
    'content_length'?: (number | string | Long);
    /**
     * FileType: 0 unknown, 1 archive, 2 video, 3 audio, 4 image, 5 spreadsheet,
     * 6 presentation, 7 document, 10 PDF, 11 diagram.
     */
    'file_type'?: (number);
    /**
     * The extension with its dot, e.g. ".docx".
     */
    'file_exst'?: (string);
    /**
     * The comment of the current version.
     */
    'comment'?: (string);
    /**
     * Download URL (no share token).
     */
    'view_url'?: (string);
    /**
     * URL to open the file in a browser (no share token).
     */
    'web_url'?: (string);
    /**
     * Whether the file is end-to-end encrypted (private rooms).
     */
    'encrypted'?: (boolean);
    /**
     * Whether the file is locked against editing, and by whom (name).
     */
    'locked'?: (boolean);
    'locked_by'?: (string);
    /**
     * Whether the file is a PDF form: `isForm` or `isPdf`, depending on the
     * server build (both names occur in the contract's history).
     */
    'is_form'?: (boolean);
    'is_pdf'?: (boolean);
    /**
     * Whether a custom filter is enabled on the spreadsheet, and by whom (name).
     */
    'custom_filter_enabled'?: (boolean);
    'custom_filter_enabled_by'?: (string);
    /**
     * When the file was last opened.
     */
    'last_opened'?: (_google_protobuf_Timestamp | null);
    /**
     * VectorizationStatus of the file for AI search (0, 1, 2).
     */
    'vectorization_status'?: (number);
    /**
     * Older DocSpace versions: the section root id, and author and editor
     * (GUIDs) with their dates.
     */
    'root_id'?: (string);
    'create_by'?: (string);
    'create_on'?: (_google_protobuf_Timestamp | null);
    'modified_by'?: (string);
    'modified_on'?: (_google_protobuf_Timestamp | null);
}
/**
 * file.*: the file (FileWebhookDto, a copy of the REST FileDto without
 * per-caller fields, thumbnails and form-filling roles).
 */
export interface File__Output {
    /**
     * The file id.
     */
    'id': (string);
    /**
     * The id of the folder (or room) holding the file.
     */
    'parent_id': (string);
    /**
     * The id of the section root the file is under (rooms, "My documents", trash...).
     */
    'root_folder_id': (string);
    /**
     * The file name, with extension.
     */
    'title': (string);
    /**
     * FileEntryType: 2 for a file.
     */
    'file_entry_type': (number);
    /**
     * When the file was created, and by whom.
     */
    'created': (_google_protobuf_Timestamp__Output | null);
    'created_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * When the file was last changed, and by whom.
     */
    'updated': (_google_protobuf_Timestamp__Output | null);
    'updated_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * FolderType of the section root (see the top of this file).
     */
    'root_folder_type': (number);
    /**
     * FolderType of the room the file is in, if any.
     */
    'parent_room_type': (number);
    /**
     * Where the file was before it was moved to the trash: folder and room.
     */
    'origin_id': (string);
    'origin_room_id': (string);
    'origin_title': (string);
    'origin_room_title': (string);
    /**
     * Whether the file is in a connected third-party storage.
     */
    'provider_item': (boolean);
    /**
     * The third-party storage, e.g. "GoogleDrive", and its connection id.
     */
    'provider_key': (string);
    'provider_id': (number);
    /**
     * Position within an indexed room.
     */
    'order': (number);
    /**
     * The version number, from 1.
     */
    'version': (string);
    /**
     * The version group (versions stacked together), from 1.
     */
    'version_group': (string);
    /**
     * Size in bytes.
     */
    'content_length': (string);
    /**
     * FileType: 0 unknown, 1 archive, 2 video, 3 audio, 4 image, 5 spreadsheet,
     * 6 presentation, 7 document, 10 PDF, 11 diagram.
     */
    'file_type': (number);
    /**
     * The extension with its dot, e.g. ".docx".
     */
    'file_exst': (string);
    /**
     * The comment of the current version.
     */
    'comment': (string);
    /**
     * Download URL (no share token).
     */
    'view_url': (string);
    /**
     * URL to open the file in a browser (no share token).
     */
    'web_url': (string);
    /**
     * Whether the file is end-to-end encrypted (private rooms).
     */
    'encrypted': (boolean);
    /**
     * Whether the file is locked against editing, and by whom (name).
     */
    'locked': (boolean);
    'locked_by': (string);
    /**
     * Whether the file is a PDF form: `isForm` or `isPdf`, depending on the
     * server build (both names occur in the contract's history).
     */
    'is_form': (boolean);
    'is_pdf': (boolean);
    /**
     * Whether a custom filter is enabled on the spreadsheet, and by whom (name).
     */
    'custom_filter_enabled': (boolean);
    'custom_filter_enabled_by': (string);
    /**
     * When the file was last opened.
     */
    'last_opened': (_google_protobuf_Timestamp__Output | null);
    /**
     * VectorizationStatus of the file for AI search (0, 1, 2).
     */
    'vectorization_status': (number);
    /**
     * Older DocSpace versions: the section root id, and author and editor
     * (GUIDs) with their dates.
     */
    'root_id': (string);
    'create_by': (string);
    'create_on': (_google_protobuf_Timestamp__Output | null);
    'modified_by': (string);
    'modified_on': (_google_protobuf_Timestamp__Output | null);
}
