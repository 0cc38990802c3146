//! Conversions shared by the EC2 handlers.

use codes::Ec2;
use model::types::ec2::Tags;
use shapes::ec2::{AttributeBooleanValue, Tag, TagSpecification};
use wire::ApiError;

/// Stored tags as the response's `tagSet`.
pub fn tag_set(tags: &Tags) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag { key: Some(k.clone()), value: Some(v.clone()) }).collect()
}

/// The tags a create call asks for: those of its `TagSpecification`s, each of which must name
/// the resource type being created.
pub fn tags_for(
    specs: &[TagSpecification],
    resource_type: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    for spec in specs {
        let t = spec_resource_type(spec)?;
        if t != resource_type {
            return Err(not_taggable_here(t));
        }
        for tag in &spec.tags {
            let key = tag.key.clone().ok_or_else(|| ApiError::missing_parameter("Tag.Key"))?;
            out.push((key, tag.value.clone().unwrap_or_default()));
        }
    }
    Ok(out)
}

/// The resource type a `TagSpecification` names, once it is well formed: AWS refuses one
/// without a type or without tags before it looks at the type.
pub fn spec_resource_type(spec: &TagSpecification) -> Result<&str, ApiError> {
    let Some(t) = spec.resource_type.as_deref().filter(|t| !t.is_empty()) else {
        return Err(ApiError::client(
            Ec2::InvalidParameter,
            "Tag specification resource type must have a value",
        ));
    };
    if spec.tags.is_empty() {
        return Err(ApiError::client(
            Ec2::InvalidParameter,
            "Tag specification must have at least one tag",
        ));
    }
    Ok(t)
}

/// A TagSpecification of another resource type: `InvalidParameter`, as AWS answers it
/// (reported from CreateVpcEndpoint in jonrau1/SyntheticSun#13; moto's suite agrees).
pub fn not_taggable_here(resource_type: &str) -> ApiError {
    ApiError::client(
        Ec2::InvalidParameter,
        format!("'{resource_type}' is not a valid taggable resource type for this operation."),
    )
}

/// Plain key/value pairs of request tags (CreateTags).
pub fn tag_pairs(tags: &[Tag]) -> Result<Vec<(String, String)>, ApiError> {
    tags.iter()
        .map(|t| {
            let key = t.key.clone().ok_or_else(|| ApiError::missing_parameter("Tag.N.Key"))?;
            Ok((key, t.value.clone().unwrap_or_default()))
        })
        .collect()
}

pub fn attr_bool(b: bool) -> Option<AttributeBooleanValue> {
    Some(AttributeBooleanValue { value: Some(b) })
}

/// The value of an `AttributeBooleanValue` parameter, which must carry one.
pub fn attr_value(v: &Option<AttributeBooleanValue>, name: &str) -> Result<Option<bool>, ApiError> {
    match v {
        None => Ok(None),
        Some(AttributeBooleanValue { value: Some(b) }) => Ok(Some(*b)),
        Some(_) => Err(ApiError::missing_parameter(&format!("{name}.Value"))),
    }
}

/// Ids given explicitly to a Describe call must all exist: AWS fails on the first missing one.
pub fn require_all<T>(
    ids: &[String],
    found: impl Fn(&str) -> Option<T>,
    not_found: impl Fn(&str) -> model::Error,
) -> Result<Vec<T>, model::Error> {
    ids.iter().map(|id| found(id).ok_or_else(|| not_found(id))).collect::<Result<Vec<T>, _>>()
}
