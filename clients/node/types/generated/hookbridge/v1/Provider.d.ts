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
    /**
     * shopify
     */
    readonly PROVIDER_SHOPIFY: "PROVIDER_SHOPIFY";
    /**
     * slack
     */
    readonly PROVIDER_SLACK: "PROVIDER_SLACK";
    /**
     * twilio
     */
    readonly PROVIDER_TWILIO: "PROVIDER_TWILIO";
    /**
     * gitlab
     */
    readonly PROVIDER_GITLAB: "PROVIDER_GITLAB";
    /**
     * bitbucket
     */
    readonly PROVIDER_BITBUCKET: "PROVIDER_BITBUCKET";
    /**
     * linear
     */
    readonly PROVIDER_LINEAR: "PROVIDER_LINEAR";
    /**
     * paddle
     */
    readonly PROVIDER_PADDLE: "PROVIDER_PADDLE";
    /**
     * zoom
     */
    readonly PROVIDER_ZOOM: "PROVIDER_ZOOM";
    /**
     * mailgun
     */
    readonly PROVIDER_MAILGUN: "PROVIDER_MAILGUN";
    /**
     * typeform
     */
    readonly PROVIDER_TYPEFORM: "PROVIDER_TYPEFORM";
    /**
     * intercom
     */
    readonly PROVIDER_INTERCOM: "PROVIDER_INTERCOM";
    /**
     * discord
     */
    readonly PROVIDER_DISCORD: "PROVIDER_DISCORD";
    /**
     * svix
     */
    readonly PROVIDER_SVIX: "PROVIDER_SVIX";
    /**
     * Any service, its HMAC signature described in the source's config.
     */
    readonly PROVIDER_HMAC: "PROVIDER_HMAC";
    /**
     * CloudEvents over HTTP (binary, structured and batched content modes).
     */
    readonly PROVIDER_CLOUDEVENTS: "PROVIDER_CLOUDEVENTS";
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
 | 'PROVIDER_STRIPE' | 7
/**
 * shopify
 */
 | 'PROVIDER_SHOPIFY' | 8
/**
 * slack
 */
 | 'PROVIDER_SLACK' | 9
/**
 * twilio
 */
 | 'PROVIDER_TWILIO' | 10
/**
 * gitlab
 */
 | 'PROVIDER_GITLAB' | 11
/**
 * bitbucket
 */
 | 'PROVIDER_BITBUCKET' | 12
/**
 * linear
 */
 | 'PROVIDER_LINEAR' | 13
/**
 * paddle
 */
 | 'PROVIDER_PADDLE' | 14
/**
 * zoom
 */
 | 'PROVIDER_ZOOM' | 15
/**
 * mailgun
 */
 | 'PROVIDER_MAILGUN' | 16
/**
 * typeform
 */
 | 'PROVIDER_TYPEFORM' | 17
/**
 * intercom
 */
 | 'PROVIDER_INTERCOM' | 18
/**
 * discord
 */
 | 'PROVIDER_DISCORD' | 19
/**
 * svix
 */
 | 'PROVIDER_SVIX' | 20
/**
 * Any service, its HMAC signature described in the source's config.
 */
 | 'PROVIDER_HMAC' | 21
/**
 * CloudEvents over HTTP (binary, structured and batched content modes).
 */
 | 'PROVIDER_CLOUDEVENTS' | 22;
/**
 * The webhook scheme a source speaks: how it is signed and how its body is
 * laid out. Configured per source as `provider: <name>` (names in comments).
 */
export type Provider__Output = typeof Provider[keyof typeof Provider];
