import type { AssetUploaded as _hookbridge_ckbox_v1_AssetUploaded, AssetUploaded__Output as _hookbridge_ckbox_v1_AssetUploaded__Output } from '../../../hookbridge/ckbox/v1/AssetUploaded';
export interface CkboxEvent {
    /**
     * asset.uploaded
     */
    'asset_uploaded'?: (_hookbridge_ckbox_v1_AssetUploaded | null);
    'event'?: "asset_uploaded";
}
export interface CkboxEvent__Output {
    /**
     * asset.uploaded
     */
    'asset_uploaded'?: (_hookbridge_ckbox_v1_AssetUploaded__Output | null);
    'event'?: "asset_uploaded";
}
