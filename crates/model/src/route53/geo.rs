//! Geographic codes: continents, countries and US states, as GetGeoLocation, geolocation
//! routing and the DNS answerer use them.

use crate::error::{Error, Result};

/// One location of ListGeoLocations / GetGeoLocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoLocationDetails {
    pub continent_code: Option<&'static str>,
    pub continent_name: Option<&'static str>,
    pub country_code: Option<&'static str>,
    pub country_name: Option<&'static str>,
    pub subdivision_code: Option<&'static str>,
    pub subdivision_name: Option<&'static str>,
}

/// GetGeoLocation.
pub fn get_geo_location(
    continent: Option<&str>,
    country: Option<&str>,
    subdivision: Option<&str>,
) -> Result<GeoLocationDetails> {
    let _ = (continent, country, subdivision);
    Err(Error::internal("not yet"))
}

/// ListGeoLocations: continents, then countries (with `*` first), then subdivisions, from the
/// start given; the next start is the marker `continent`, `country` or `country/subdivision`
/// rendered by [`GeoStart`].
pub fn list_geo_locations(start: &GeoStart, max_items: Option<usize>) -> Result<GeoPage> {
    let _ = (start, max_items);
    Err(Error::internal("not yet"))
}

/// `StartContinentCode`, `StartCountryCode`, `StartSubdivisionCode`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeoStart {
    pub continent: Option<String>,
    pub country: Option<String>,
    pub subdivision: Option<String>,
}

/// A page of ListGeoLocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoPage {
    pub items: Vec<GeoLocationDetails>,
    pub max_items: usize,
    pub next: Option<GeoStart>,
}
