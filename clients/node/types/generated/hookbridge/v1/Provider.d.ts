/**
 * The webhook scheme a source speaks: how it is signed and how its body is
 * laid out. Configured per source as `provider: <name>` (names in comments).
 */
export declare const Provider: {
    readonly PROVIDER_UNSPECIFIED: "PROVIDER_UNSPECIFIED";
    /**
     * ckeditor-cloud-services
     */
    readonly PROVIDER_CKEDITOR_CLOUD_SERVICES: "PROVIDER_CKEDITOR_CLOUD_SERVICES";
    /**
     * ckbox
     */
    readonly PROVIDER_CKBOX: "PROVIDER_CKBOX";
    /**
     * onlyoffice-docspace
     */
    readonly PROVIDER_ONLYOFFICE_DOCSPACE: "PROVIDER_ONLYOFFICE_DOCSPACE";
    /**
     * cand
     */
    readonly PROVIDER_CAND: "PROVIDER_CAND";
    /**
     * standard-webhooks
     */
    readonly PROVIDER_STANDARD_WEBHOOKS: "PROVIDER_STANDARD_WEBHOOKS";
    /**
     * github
     */
    readonly PROVIDER_GITHUB: "PROVIDER_GITHUB";
    /**
     * stripe
     */
    readonly PROVIDER_STRIPE: "PROVIDER_STRIPE";
};
/**
 * The webhook scheme a source speaks: how it is signed and how its body is
 * laid out. Configured per source as `provider: <name>` (names in comments).
 */
export type Provider = 'PROVIDER_UNSPECIFIED' | 0
/**
 * ckeditor-cloud-services
 */
 | 'PROVIDER_CKEDITOR_CLOUD_SERVICES' | 1
/**
 * ckbox
 */
 | 'PROVIDER_CKBOX' | 2
/**
 * onlyoffice-docspace
 */
 | 'PROVIDER_ONLYOFFICE_DOCSPACE' | 3
/**
 * cand
 */
 | 'PROVIDER_CAND' | 4
/**
 * standard-webhooks
 */
 | 'PROVIDER_STANDARD_WEBHOOKS' | 5
/**
 * github
 */
 | 'PROVIDER_GITHUB' | 6
/**
 * stripe
 */
 | 'PROVIDER_STRIPE' | 7;
/**
 * The webhook scheme a source speaks: how it is signed and how its body is
 * laid out. Configured per source as `provider: <name>` (names in comments).
 */
export type Provider__Output = typeof Provider[keyof typeof Provider];
