import type { Context as _hookbridge_cand_v1_Context, Context__Output as _hookbridge_cand_v1_Context__Output } from '../../../hookbridge/cand/v1/Context';
import type { MemberJoined as _hookbridge_cand_v1_MemberJoined, MemberJoined__Output as _hookbridge_cand_v1_MemberJoined__Output } from '../../../hookbridge/cand/v1/MemberJoined';
import type { MemberUpdated as _hookbridge_cand_v1_MemberUpdated, MemberUpdated__Output as _hookbridge_cand_v1_MemberUpdated__Output } from '../../../hookbridge/cand/v1/MemberUpdated';
import type { MemberActivated as _hookbridge_cand_v1_MemberActivated, MemberActivated__Output as _hookbridge_cand_v1_MemberActivated__Output } from '../../../hookbridge/cand/v1/MemberActivated';
import type { ProductCreated as _hookbridge_cand_v1_ProductCreated, ProductCreated__Output as _hookbridge_cand_v1_ProductCreated__Output } from '../../../hookbridge/cand/v1/ProductCreated';
import type { ProductUpdated as _hookbridge_cand_v1_ProductUpdated, ProductUpdated__Output as _hookbridge_cand_v1_ProductUpdated__Output } from '../../../hookbridge/cand/v1/ProductUpdated';
import type { ProductVoted as _hookbridge_cand_v1_ProductVoted, ProductVoted__Output as _hookbridge_cand_v1_ProductVoted__Output } from '../../../hookbridge/cand/v1/ProductVoted';
import type { PaymentPaid as _hookbridge_cand_v1_PaymentPaid, PaymentPaid__Output as _hookbridge_cand_v1_PaymentPaid__Output } from '../../../hookbridge/cand/v1/PaymentPaid';
import type { SubscriptionSubscribed as _hookbridge_cand_v1_SubscriptionSubscribed, SubscriptionSubscribed__Output as _hookbridge_cand_v1_SubscriptionSubscribed__Output } from '../../../hookbridge/cand/v1/SubscriptionSubscribed';
import type { SubscriptionExpired as _hookbridge_cand_v1_SubscriptionExpired, SubscriptionExpired__Output as _hookbridge_cand_v1_SubscriptionExpired__Output } from '../../../hookbridge/cand/v1/SubscriptionExpired';
import type { MessageCreated as _hookbridge_cand_v1_MessageCreated, MessageCreated__Output as _hookbridge_cand_v1_MessageCreated__Output } from '../../../hookbridge/cand/v1/MessageCreated';
export interface CandEvent {
    'context'?: (_hookbridge_cand_v1_Context | null);
    /**
     * MOIM:member.joined
     */
    'member_joined'?: (_hookbridge_cand_v1_MemberJoined | null);
    /**
     * MOIM:member.updated
     */
    'member_updated'?: (_hookbridge_cand_v1_MemberUpdated | null);
    /**
     * MOIM:member.activated
     */
    'member_activated'?: (_hookbridge_cand_v1_MemberActivated | null);
    /**
     * MOIM:product.created
     */
    'product_created'?: (_hookbridge_cand_v1_ProductCreated | null);
    /**
     * MOIM:product.updated
     */
    'product_updated'?: (_hookbridge_cand_v1_ProductUpdated | null);
    /**
     * MOIM:product.voted
     */
    'product_voted'?: (_hookbridge_cand_v1_ProductVoted | null);
    /**
     * MOIM:payment.paid
     */
    'payment_paid'?: (_hookbridge_cand_v1_PaymentPaid | null);
    /**
     * MOIM:subscription.subscribed
     */
    'subscription_subscribed'?: (_hookbridge_cand_v1_SubscriptionSubscribed | null);
    /**
     * MOIM:subscription.expired
     */
    'subscription_expired'?: (_hookbridge_cand_v1_SubscriptionExpired | null);
    /**
     * MOIM:message.created
     */
    'message_created'?: (_hookbridge_cand_v1_MessageCreated | null);
    'payload'?: "member_joined" | "member_updated" | "member_activated" | "product_created" | "product_updated" | "product_voted" | "payment_paid" | "subscription_subscribed" | "subscription_expired" | "message_created";
}
export interface CandEvent__Output {
    'context': (_hookbridge_cand_v1_Context__Output | null);
    /**
     * MOIM:member.joined
     */
    'member_joined'?: (_hookbridge_cand_v1_MemberJoined__Output | null);
    /**
     * MOIM:member.updated
     */
    'member_updated'?: (_hookbridge_cand_v1_MemberUpdated__Output | null);
    /**
     * MOIM:member.activated
     */
    'member_activated'?: (_hookbridge_cand_v1_MemberActivated__Output | null);
    /**
     * MOIM:product.created
     */
    'product_created'?: (_hookbridge_cand_v1_ProductCreated__Output | null);
    /**
     * MOIM:product.updated
     */
    'product_updated'?: (_hookbridge_cand_v1_ProductUpdated__Output | null);
    /**
     * MOIM:product.voted
     */
    'product_voted'?: (_hookbridge_cand_v1_ProductVoted__Output | null);
    /**
     * MOIM:payment.paid
     */
    'payment_paid'?: (_hookbridge_cand_v1_PaymentPaid__Output | null);
    /**
     * MOIM:subscription.subscribed
     */
    'subscription_subscribed'?: (_hookbridge_cand_v1_SubscriptionSubscribed__Output | null);
    /**
     * MOIM:subscription.expired
     */
    'subscription_expired'?: (_hookbridge_cand_v1_SubscriptionExpired__Output | null);
    /**
     * MOIM:message.created
     */
    'message_created'?: (_hookbridge_cand_v1_MessageCreated__Output | null);
    'payload'?: "member_joined" | "member_updated" | "member_activated" | "product_created" | "product_updated" | "product_voted" | "payment_paid" | "subscription_subscribed" | "subscription_expired" | "message_created";
}
