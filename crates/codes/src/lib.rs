//! Every error code vpclab answers, one registry per service (and one for the wire protocols),
//! so the compiler knows which codes a service can return and no code is a loose string.
//! A code is its wire spelling (`InvalidVpcID.NotFound`); the variant drops the dot
//! (`Ec2::InvalidVpcIDNotFound`). HTTP statuses are not here: they belong to the API layer,
//! which takes them from the service models (`api::status_of`).

use std::borrow::Cow;
use std::fmt;

macro_rules! registry {
    ($(#[doc = $doc:literal] $service:ident { $($variant:ident = $code:literal,)* })*) => {
        $(
            #[doc = $doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum $service {
                $($variant,)*
            }

            impl $service {
                /// Every code of the service, in registry order.
                pub const ALL: &'static [$service] = &[$($service::$variant,)*];

                /// The code as the wire spells it.
                pub const fn as_str(self) -> &'static str {
                    match self {
                        $($service::$variant => $code,)*
                    }
                }
            }

            impl From<$service> for Code {
                fn from(code: $service) -> Code {
                    Code::$service(code)
                }
            }

            impl From<$service> for Cow<'static, str> {
                fn from(code: $service) -> Self {
                    Cow::Borrowed(code.as_str())
                }
            }

            impl PartialEq<$service> for Code {
                fn eq(&self, other: &$service) -> bool {
                    *self == Code::$service(*other)
                }
            }

            impl fmt::Display for $service {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*

        /// A code of any service.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($service($service),)*
        }

        impl Code {
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$service(c) => c.as_str(),)*
                }
            }
        }
    };
}

impl From<Code> for Cow<'static, str> {
    fn from(code: Code) -> Self {
        Cow::Borrowed(code.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

registry! {
    #[doc = "Codes the wire protocols answer before any service sees a request: authentication and signatures, unknown actions and parameters, malformed bodies, and the AWS common errors every service shares (each API reference's \"Common Errors\")."]
    Protocol {
        AccessDenied = "AccessDenied",
        AccessDeniedException = "AccessDeniedException",
        AuthFailure = "AuthFailure",
        DryRunOperation = "DryRunOperation",
        IncompleteSignature = "IncompleteSignature",
        IncompleteSignatureException = "IncompleteSignatureException",
        InternalError = "InternalError",
        InvalidAction = "InvalidAction",
        InvalidClientTokenId = "InvalidClientTokenId",
        InvalidInput = "InvalidInput",
        InvalidParameterValue = "InvalidParameterValue",
        InvalidSignatureException = "InvalidSignatureException",
        MalformedInput = "MalformedInput",
        MethodNotAllowed = "MethodNotAllowed",
        MissingAuthenticationToken = "MissingAuthenticationToken",
        MissingAuthenticationTokenException = "MissingAuthenticationTokenException",
        MissingParameter = "MissingParameter",
        RequestEntityTooLarge = "RequestEntityTooLarge",
        RequestExpired = "RequestExpired",
        SerializationException = "SerializationException",
        SignatureDoesNotMatch = "SignatureDoesNotMatch",
        UnknownOperationException = "UnknownOperationException",
        UnknownParameter = "UnknownParameter",
        UnrecognizedClientException = "UnrecognizedClientException",
        ValidationError = "ValidationError",
        ValidationException = "ValidationException",
    }
    #[doc = "EC2's codes (EC2 API reference, \"Error codes for the Amazon EC2 API\"; botocore's model lists none)."]
    Ec2 {
        ActiveVpcPeeringConnectionPerVpcLimitExceeded = "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
        AddressLimitExceeded = "AddressLimitExceeded",
        AnalysisExistsForNetworkInsightsPath = "AnalysisExistsForNetworkInsightsPath",
        AttachmentLimitExceeded = "AttachmentLimitExceeded",
        AuthFailure = "AuthFailure",
        CannotDelete = "CannotDelete",
        CidrLimitExceeded = "CidrLimitExceeded",
        DefaultSubnetAlreadyExistsInAvailabilityZone = "DefaultSubnetAlreadyExistsInAvailabilityZone",
        DefaultVpcAlreadyExists = "DefaultVpcAlreadyExists",
        DefaultVpcDoesNotExist = "DefaultVpcDoesNotExist",
        DependencyViolation = "DependencyViolation",
        DuplicateSubnetsInSameZone = "DuplicateSubnetsInSameZone",
        DuplicateTransitGatewayAttachment = "DuplicateTransitGatewayAttachment",
        EgressOnlyInternetGatewayLimitExceeded = "EgressOnlyInternetGatewayLimitExceeded",
        ExistingVpcEndpointConnections = "ExistingVpcEndpointConnections",
        FlowLogAlreadyExists = "FlowLogAlreadyExists",
        GatewayNotAttached = "Gateway.NotAttached",
        IdempotentParameterMismatch = "IdempotentParameterMismatch",
        IncorrectInstanceState = "IncorrectInstanceState",
        IncorrectState = "IncorrectState",
        InstanceLimitExceeded = "InstanceLimitExceeded",
        InsufficientCidrBlocks = "InsufficientCidrBlocks",
        InsufficientFreeAddressesInSubnet = "InsufficientFreeAddressesInSubnet",
        InternalError = "InternalError",
        InternetGatewayLimitExceeded = "InternetGatewayLimitExceeded",
        InvalidAMIIDMalformed = "InvalidAMIID.Malformed",
        InvalidAddressNotFound = "InvalidAddress.NotFound",
        InvalidAllocationIDMalformed = "InvalidAllocationID.Malformed",
        InvalidAllocationIDNotFound = "InvalidAllocationID.NotFound",
        InvalidAssociationIDNotFound = "InvalidAssociationID.NotFound",
        InvalidAssociationNotFound = "InvalidAssociation.NotFound",
        InvalidAttachmentIDNotFound = "InvalidAttachmentID.NotFound",
        InvalidCarrierGatewayIDNotFound = "InvalidCarrierGatewayID.NotFound",
        InvalidCidrBlockInUse = "InvalidCidrBlock.InUse",
        InvalidClientVpnActiveAssociationNotFound = "InvalidClientVpnActiveAssociationNotFound",
        InvalidClientVpnAssociationIdNotFound = "InvalidClientVpnAssociationIdNotFound",
        InvalidClientVpnDuplicateAssociationException = "InvalidClientVpnDuplicateAssociationException",
        InvalidClientVpnDuplicateAuthorizationRule = "InvalidClientVpnDuplicateAuthorizationRule",
        InvalidClientVpnDuplicateRoute = "InvalidClientVpnDuplicateRoute",
        InvalidClientVpnEndpointAuthorizationRuleNotFound = "InvalidClientVpnEndpointAuthorizationRuleNotFound",
        InvalidClientVpnEndpointIdNotFound = "InvalidClientVpnEndpointId.NotFound",
        InvalidClientVpnRouteNotFound = "InvalidClientVpnRouteNotFound",
        InvalidClientVpnSubnetIdDifferentAccount = "InvalidClientVpnSubnetId.DifferentAccount",
        InvalidClientVpnSubnetIdDuplicateAz = "InvalidClientVpnSubnetId.DuplicateAz",
        InvalidClientVpnSubnetIdNotFound = "InvalidClientVpnSubnetId.NotFound",
        InvalidClientVpnSubnetIdOverlappingCidr = "InvalidClientVpnSubnetId.OverlappingCidr",
        InvalidCustomerGatewayIDNotFound = "InvalidCustomerGatewayID.NotFound",
        InvalidCustomerGatewayIdMalformed = "InvalidCustomerGatewayId.Malformed",
        InvalidDhcpOptionIDNotFound = "InvalidDhcpOptionID.NotFound",
        InvalidDhcpOptionsIdMalformed = "InvalidDhcpOptionsId.Malformed",
        InvalidEgressOnlyInternetGatewayIdMalformed = "InvalidEgressOnlyInternetGatewayId.Malformed",
        InvalidFlowLogIdMalformed = "InvalidFlowLogId.Malformed",
        InvalidFlowLogIdNotFound = "InvalidFlowLogId.NotFound",
        InvalidGatewayIDNotFound = "InvalidGatewayID.NotFound",
        InvalidGroupDuplicate = "InvalidGroup.Duplicate",
        InvalidGroupIdMalformed = "InvalidGroupId.Malformed",
        InvalidGroupNotFound = "InvalidGroup.NotFound",
        InvalidGroupReserved = "InvalidGroup.Reserved",
        InvalidID = "InvalidID",
        InvalidIPAddressInUse = "InvalidIPAddress.InUse",
        InvalidInstanceID = "InvalidInstanceID",
        InvalidInstanceIDMalformed = "InvalidInstanceID.Malformed",
        InvalidInstanceIDNotFound = "InvalidInstanceID.NotFound",
        InvalidInstanceType = "InvalidInstanceType",
        InvalidInternetGatewayIDNotFound = "InvalidInternetGatewayID.NotFound",
        InvalidInternetGatewayIdMalformed = "InvalidInternetGatewayId.Malformed",
        InvalidLocalGatewayIDMalformed = "InvalidLocalGatewayID.Malformed",
        InvalidLocalGatewayIDNotFound = "InvalidLocalGatewayID.NotFound",
        InvalidNatGatewayIDNotFound = "InvalidNatGatewayID.NotFound",
        InvalidNetworkAclEntryNotFound = "InvalidNetworkAclEntry.NotFound",
        InvalidNetworkAclIDNotFound = "InvalidNetworkAclID.NotFound",
        InvalidNetworkAclIdMalformed = "InvalidNetworkAclId.Malformed",
        InvalidNetworkInsightsAccessScopeAnalysisIdMalformed = "InvalidNetworkInsightsAccessScopeAnalysisId.Malformed",
        InvalidNetworkInsightsAccessScopeAnalysisIdNotFound = "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound",
        InvalidNetworkInsightsAccessScopeIdMalformed = "InvalidNetworkInsightsAccessScopeId.Malformed",
        InvalidNetworkInsightsAccessScopeIdNotFound = "InvalidNetworkInsightsAccessScopeId.NotFound",
        InvalidNetworkInsightsAnalysisIdMalformed = "InvalidNetworkInsightsAnalysisId.Malformed",
        InvalidNetworkInsightsAnalysisIdNotFound = "InvalidNetworkInsightsAnalysisId.NotFound",
        InvalidNetworkInsightsPathIdMalformed = "InvalidNetworkInsightsPathId.Malformed",
        InvalidNetworkInsightsPathIdNotFound = "InvalidNetworkInsightsPathId.NotFound",
        InvalidNetworkInterfaceIDNotFound = "InvalidNetworkInterfaceID.NotFound",
        InvalidNetworkInterfaceIdMalformed = "InvalidNetworkInterfaceId.Malformed",
        InvalidNetworkInterfaceInUse = "InvalidNetworkInterface.InUse",
        InvalidNextToken = "InvalidNextToken",
        InvalidParameter = "InvalidParameter",
        InvalidParameterCombination = "InvalidParameterCombination",
        InvalidParameterValue = "InvalidParameterValue",
        InvalidPermissionDuplicate = "InvalidPermission.Duplicate",
        InvalidPermissionNotFound = "InvalidPermission.NotFound",
        InvalidPolicyDocument = "InvalidPolicyDocument",
        InvalidPrefixListIDNotFound = "InvalidPrefixListID.NotFound",
        InvalidPrefixListIdMalformed = "InvalidPrefixListId.Malformed",
        InvalidPrefixListModification = "InvalidPrefixListModification",
        InvalidPrincipal = "InvalidPrincipal",
        InvalidRegion = "InvalidRegion",
        InvalidRouteNotFound = "InvalidRoute.NotFound",
        InvalidRouteTableIDNotFound = "InvalidRouteTableID.NotFound",
        InvalidRouteTableIdMalformed = "InvalidRouteTableId.Malformed",
        InvalidSecurityGroupRuleIdMalformed = "InvalidSecurityGroupRuleId.Malformed",
        InvalidSecurityGroupRuleIdNotFound = "InvalidSecurityGroupRuleId.NotFound",
        InvalidServiceName = "InvalidServiceName",
        InvalidStateTransition = "InvalidStateTransition",
        InvalidSubnetCidrBlockAssociationIDNotFound = "InvalidSubnetCidrBlockAssociationID.NotFound",
        InvalidSubnetCidrReservationIDNotFound = "InvalidSubnetCidrReservationID.NotFound",
        InvalidSubnetConflict = "InvalidSubnet.Conflict",
        InvalidSubnetIDMalformed = "InvalidSubnetID.Malformed",
        InvalidSubnetIDNotFound = "InvalidSubnetID.NotFound",
        InvalidSubnetRange = "InvalidSubnet.Range",
        InvalidTrafficMirrorFilterIdNotFound = "InvalidTrafficMirrorFilterId.NotFound",
        InvalidTrafficMirrorFilterRuleIdNotFound = "InvalidTrafficMirrorFilterRuleId.NotFound",
        InvalidTrafficMirrorSessionIdNotFound = "InvalidTrafficMirrorSessionId.NotFound",
        InvalidTrafficMirrorTargetIdNotFound = "InvalidTrafficMirrorTargetId.NotFound",
        InvalidTransitGatewayAttachmentIDMalformed = "InvalidTransitGatewayAttachmentID.Malformed",
        InvalidTransitGatewayAttachmentIDNotFound = "InvalidTransitGatewayAttachmentID.NotFound",
        InvalidTransitGatewayIDMalformed = "InvalidTransitGatewayID.Malformed",
        InvalidTransitGatewayIDNotFound = "InvalidTransitGatewayID.NotFound",
        InvalidVolumeIDMalformed = "InvalidVolumeID.Malformed",
        InvalidVolumeNotFound = "InvalidVolume.NotFound",
        InvalidVpcCidrBlockAssociationIDNotFound = "InvalidVpcCidrBlockAssociationID.NotFound",
        InvalidVpcEndpointIdMalformed = "InvalidVpcEndpointId.Malformed",
        InvalidVpcEndpointIdNotFound = "InvalidVpcEndpointId.NotFound",
        InvalidVpcEndpointInvalidState = "InvalidVpcEndpoint.InvalidState",
        InvalidVpcEndpointNotFound = "InvalidVpcEndpoint.NotFound",
        InvalidVpcEndpointServiceIdMalformed = "InvalidVpcEndpointServiceId.Malformed",
        InvalidVpcEndpointServiceIdNotFound = "InvalidVpcEndpointServiceId.NotFound",
        InvalidVpcEndpointServiceNotFound = "InvalidVpcEndpointService.NotFound",
        InvalidVpcIDMalformed = "InvalidVpcID.Malformed",
        InvalidVpcIDNotFound = "InvalidVpcID.NotFound",
        InvalidVpcIdMalformed = "InvalidVpcId.Malformed",
        InvalidVpcPeeringConnectionIDNotFound = "InvalidVpcPeeringConnectionID.NotFound",
        InvalidVpcPeeringConnectionIdMalformed = "InvalidVpcPeeringConnectionId.Malformed",
        InvalidVpcRange = "InvalidVpc.Range",
        InvalidVpnConnectionIDNotFound = "InvalidVpnConnectionID.NotFound",
        InvalidVpnGatewayAttachmentNotFound = "InvalidVpnGatewayAttachment.NotFound",
        InvalidVpnGatewayIDNotFound = "InvalidVpnGatewayID.NotFound",
        MissingInput = "MissingInput",
        MissingParameter = "MissingParameter",
        NatGatewayLimitExceeded = "NatGatewayLimitExceeded",
        NatGatewayNotFound = "NatGatewayNotFound",
        NetworkAclEntryAlreadyExists = "NetworkAclEntryAlreadyExists",
        NetworkAclEntryLimitExceeded = "NetworkAclEntryLimitExceeded",
        NetworkAclLimitExceeded = "NetworkAclLimitExceeded",
        NetworkInsightsAnalysisLimitExceeded = "NetworkInsightsAnalysis.LimitExceeded",
        NetworkInsightsDestinationNotFound = "NetworkInsightsDestination.NotFound",
        NetworkInsightsPathLimitExceeded = "NetworkInsightsPath.LimitExceeded",
        NetworkInsightsSourceNotFound = "NetworkInsightsSource.NotFound",
        NetworkInterfaceLimitExceeded = "NetworkInterfaceLimitExceeded",
        OperationNotPermitted = "OperationNotPermitted",
        OutstandingVpcPeeringConnectionLimitExceeded = "OutstandingVpcPeeringConnectionLimitExceeded",
        PrefixListLimitExceeded = "PrefixListLimitExceeded",
        PrefixListMaxEntriesExceeded = "PrefixListMaxEntriesExceeded",
        PrefixListVersionMismatch = "PrefixListVersionMismatch",
        PrivateIpAddressLimitExceeded = "PrivateIpAddressLimitExceeded",
        ResourceAlreadyAssociated = "Resource.AlreadyAssociated",
        ResourceLimitExceeded = "ResourceLimitExceeded",
        RouteAlreadyExists = "RouteAlreadyExists",
        RouteLimitExceeded = "RouteLimitExceeded",
        RouteTableLimitExceeded = "RouteTableLimitExceeded",
        RulesPerSecurityGroupLimitExceeded = "RulesPerSecurityGroupLimitExceeded",
        SecurityGroupLimitExceeded = "SecurityGroupLimitExceeded",
        SecurityGroupsPerInterfaceLimitExceeded = "SecurityGroupsPerInterfaceLimitExceeded",
        ServiceUnavailable = "ServiceUnavailable",
        SubnetLimitExceeded = "SubnetLimitExceeded",
        TagLimitExceeded = "TagLimitExceeded",
        TransitGatewayLimitExceeded = "TransitGatewayLimitExceeded",
        TransitGatewayRouteTableLimitExceeded = "TransitGatewayRouteTableLimitExceeded",
        TransitGatewayRouteTablePropagationDuplicate = "TransitGatewayRouteTablePropagation.Duplicate",
        TransitGatewayRouteTablePropagationNotFound = "TransitGatewayRouteTablePropagation.NotFound",
        UnsupportedHibernationConfiguration = "UnsupportedHibernationConfiguration",
        UnsupportedOperation = "UnsupportedOperation",
        UnsupportedService = "UnsupportedService",
        UnsupportedTenancy = "UnsupportedTenancy",
        VPCIdNotSpecified = "VPCIdNotSpecified",
        VpcLimitExceeded = "VpcLimitExceeded",
        VpcPeeringConnectionAlreadyExists = "VpcPeeringConnectionAlreadyExists",
        VpnGatewayAttachmentLimitExceeded = "VpnGatewayAttachmentLimitExceeded",
        VpnGatewayLimitExceeded = "VpnGatewayLimitExceeded",
    }
    #[doc = "Elastic Load Balancing v2's codes (its botocore model's error shapes and common errors)."]
    Elbv2 {
        ALPNPolicyNotFound = "ALPNPolicyNotFound",
        AllocationIdNotFound = "AllocationIdNotFound",
        CertificateNotFound = "CertificateNotFound",
        DuplicateListener = "DuplicateListener",
        DuplicateLoadBalancerName = "DuplicateLoadBalancerName",
        DuplicateTagKeys = "DuplicateTagKeys",
        DuplicateTargetGroupName = "DuplicateTargetGroupName",
        IncompatibleProtocols = "IncompatibleProtocols",
        InvalidConfigurationRequest = "InvalidConfigurationRequest",
        InvalidLoadBalancerAction = "InvalidLoadBalancerAction",
        InvalidScheme = "InvalidScheme",
        InvalidSecurityGroup = "InvalidSecurityGroup",
        InvalidSubnet = "InvalidSubnet",
        InvalidTarget = "InvalidTarget",
        ListenerNotFound = "ListenerNotFound",
        LoadBalancerNotFound = "LoadBalancerNotFound",
        OperationNotPermitted = "OperationNotPermitted",
        PriorityInUse = "PriorityInUse",
        ResourceInUse = "ResourceInUse",
        RuleNotFound = "RuleNotFound",
        SSLPolicyNotFound = "SSLPolicyNotFound",
        SubnetNotFound = "SubnetNotFound",
        TargetGroupAssociationLimit = "TargetGroupAssociationLimit",
        TargetGroupNotFound = "TargetGroupNotFound",
        TooManyActions = "TooManyActions",
        TooManyCertificates = "TooManyCertificates",
        TooManyListeners = "TooManyListeners",
        TooManyLoadBalancers = "TooManyLoadBalancers",
        TooManyRules = "TooManyRules",
        TooManyTags = "TooManyTags",
        TooManyTargetGroups = "TooManyTargetGroups",
        TooManyTargets = "TooManyTargets",
        TrustStoreNotFound = "TrustStoreNotFound",
        ValidationError = "ValidationError",
    }
    #[doc = "Direct Connect's codes (its botocore model's error shapes and common errors)."]
    DirectConnect {
        DirectConnectClientException = "DirectConnectClientException",
        DuplicateTagKeysException = "DuplicateTagKeysException",
        TooManyTagsException = "TooManyTagsException",
    }
    #[doc = "Route 53's codes (its botocore model's error shapes)."]
    Route53 {
        CidrBlockInUseException = "CidrBlockInUseException",
        CidrCollectionAlreadyExistsException = "CidrCollectionAlreadyExistsException",
        CidrCollectionInUseException = "CidrCollectionInUseException",
        CidrCollectionVersionMismatchException = "CidrCollectionVersionMismatchException",
        ConflictingDomainExists = "ConflictingDomainExists",
        DelegationSetAlreadyCreated = "DelegationSetAlreadyCreated",
        DelegationSetAlreadyReusable = "DelegationSetAlreadyReusable",
        DelegationSetInUse = "DelegationSetInUse",
        HealthCheckAlreadyExists = "HealthCheckAlreadyExists",
        HealthCheckInUse = "HealthCheckInUse",
        HealthCheckVersionMismatch = "HealthCheckVersionMismatch",
        HostedZoneAlreadyExists = "HostedZoneAlreadyExists",
        HostedZoneNotEmpty = "HostedZoneNotEmpty",
        HostedZoneNotFound = "HostedZoneNotFound",
        InvalidChangeBatch = "InvalidChangeBatch",
        InvalidDomainName = "InvalidDomainName",
        InvalidInput = "InvalidInput",
        InvalidVPCId = "InvalidVPCId",
        LastVPCAssociation = "LastVPCAssociation",
        LimitsExceeded = "LimitsExceeded",
        MethodNotAllowed = "MethodNotAllowed",
        NoSuchChange = "NoSuchChange",
        NoSuchCidrCollectionException = "NoSuchCidrCollectionException",
        NoSuchCidrLocationException = "NoSuchCidrLocationException",
        NoSuchDelegationSet = "NoSuchDelegationSet",
        NoSuchGeoLocation = "NoSuchGeoLocation",
        NoSuchHealthCheck = "NoSuchHealthCheck",
        NoSuchHostedZone = "NoSuchHostedZone",
        NoSuchQueryLoggingConfig = "NoSuchQueryLoggingConfig",
        NotAuthorizedException = "NotAuthorizedException",
        NotImplemented = "NotImplemented",
        PublicZoneVPCAssociation = "PublicZoneVPCAssociation",
        QueryLoggingConfigAlreadyExists = "QueryLoggingConfigAlreadyExists",
        TooManyHealthChecks = "TooManyHealthChecks",
        TooManyHostedZones = "TooManyHostedZones",
        VPCAssociationAuthorizationNotFound = "VPCAssociationAuthorizationNotFound",
        VPCAssociationNotFound = "VPCAssociationNotFound",
    }
    #[doc = "Route 53 Resolver's codes (its botocore model's error shapes and common errors)."]
    Route53Resolver {
        InvalidNextTokenException = "InvalidNextTokenException",
        InvalidParameterException = "InvalidParameterException",
        InvalidRequestException = "InvalidRequestException",
        LimitExceededException = "LimitExceededException",
        ResourceExistsException = "ResourceExistsException",
        ResourceInUseException = "ResourceInUseException",
        ResourceNotFoundException = "ResourceNotFoundException",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_spell_their_codes() {
        assert_eq!(Ec2::InvalidVpcIDNotFound.as_str(), "InvalidVpcID.NotFound");
        assert_eq!(Code::from(Route53::NoSuchHostedZone), "NoSuchHostedZone");
        for code in Ec2::ALL {
            assert_eq!(format!("{code:?}"), code.as_str().replace('.', ""));
        }
    }
}
