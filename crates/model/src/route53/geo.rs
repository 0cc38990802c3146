//! Geographic codes: continents, countries and US states, as GetGeoLocation, ListGeoLocations,
//! geolocation routing and the DNS answerer use them.
//!
//! ListGeoLocations lists the default location (`*`) and the countries by code first, each
//! country followed by its subdivisions, and the continents last, as AWS documents.

use super::invalid_input;
use super::record::GeoLocation;
use super::zone::clamp_max;
use crate::error::{Error, Result};
use codes::Route53;

/// Route 53's continents: (code, name).
pub const CONTINENTS: &[(&str, &str)] = &[
    ("AF", "Africa"),
    ("AN", "Antarctica"),
    ("AS", "Asia"),
    ("EU", "Europe"),
    ("NA", "North America"),
    ("OC", "Oceania"),
    ("SA", "South America"),
];

/// ISO 3166-1 countries: (code, name, continent). Generated from Debian's iso-codes, with
/// Route 53's continent of each.
pub const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AD", "Andorra", "EU"),
    ("AE", "United Arab Emirates", "AS"),
    ("AF", "Afghanistan", "AS"),
    ("AG", "Antigua and Barbuda", "NA"),
    ("AI", "Anguilla", "NA"),
    ("AL", "Albania", "EU"),
    ("AM", "Armenia", "AS"),
    ("AO", "Angola", "AF"),
    ("AQ", "Antarctica", "AN"),
    ("AR", "Argentina", "SA"),
    ("AS", "American Samoa", "OC"),
    ("AT", "Austria", "EU"),
    ("AU", "Australia", "OC"),
    ("AW", "Aruba", "NA"),
    ("AX", "\u{00c5}land Islands", "EU"),
    ("AZ", "Azerbaijan", "AS"),
    ("BA", "Bosnia and Herzegovina", "EU"),
    ("BB", "Barbados", "NA"),
    ("BD", "Bangladesh", "AS"),
    ("BE", "Belgium", "EU"),
    ("BF", "Burkina Faso", "AF"),
    ("BG", "Bulgaria", "EU"),
    ("BH", "Bahrain", "AS"),
    ("BI", "Burundi", "AF"),
    ("BJ", "Benin", "AF"),
    ("BL", "Saint Barth\u{00e9}lemy", "NA"),
    ("BM", "Bermuda", "NA"),
    ("BN", "Brunei Darussalam", "AS"),
    ("BO", "Bolivia", "SA"),
    ("BQ", "Bonaire, Sint Eustatius and Saba", "NA"),
    ("BR", "Brazil", "SA"),
    ("BS", "Bahamas", "NA"),
    ("BT", "Bhutan", "AS"),
    ("BV", "Bouvet Island", "AN"),
    ("BW", "Botswana", "AF"),
    ("BY", "Belarus", "EU"),
    ("BZ", "Belize", "NA"),
    ("CA", "Canada", "NA"),
    ("CC", "Cocos (Keeling) Islands", "AS"),
    ("CD", "Congo, The Democratic Republic of the", "AF"),
    ("CF", "Central African Republic", "AF"),
    ("CG", "Congo", "AF"),
    ("CH", "Switzerland", "EU"),
    ("CI", "C\u{00f4}te d'Ivoire", "AF"),
    ("CK", "Cook Islands", "OC"),
    ("CL", "Chile", "SA"),
    ("CM", "Cameroon", "AF"),
    ("CN", "China", "AS"),
    ("CO", "Colombia", "SA"),
    ("CR", "Costa Rica", "NA"),
    ("CU", "Cuba", "NA"),
    ("CV", "Cabo Verde", "AF"),
    ("CW", "Cura\u{00e7}ao", "NA"),
    ("CX", "Christmas Island", "AS"),
    ("CY", "Cyprus", "AS"),
    ("CZ", "Czechia", "EU"),
    ("DE", "Germany", "EU"),
    ("DJ", "Djibouti", "AF"),
    ("DK", "Denmark", "EU"),
    ("DM", "Dominica", "NA"),
    ("DO", "Dominican Republic", "NA"),
    ("DZ", "Algeria", "AF"),
    ("EC", "Ecuador", "SA"),
    ("EE", "Estonia", "EU"),
    ("EG", "Egypt", "AF"),
    ("EH", "Western Sahara", "AF"),
    ("ER", "Eritrea", "AF"),
    ("ES", "Spain", "EU"),
    ("ET", "Ethiopia", "AF"),
    ("FI", "Finland", "EU"),
    ("FJ", "Fiji", "OC"),
    ("FK", "Falkland Islands (Malvinas)", "SA"),
    ("FM", "Micronesia, Federated States of", "OC"),
    ("FO", "Faroe Islands", "EU"),
    ("FR", "France", "EU"),
    ("GA", "Gabon", "AF"),
    ("GB", "United Kingdom", "EU"),
    ("GD", "Grenada", "NA"),
    ("GE", "Georgia", "AS"),
    ("GF", "French Guiana", "SA"),
    ("GG", "Guernsey", "EU"),
    ("GH", "Ghana", "AF"),
    ("GI", "Gibraltar", "EU"),
    ("GL", "Greenland", "NA"),
    ("GM", "Gambia", "AF"),
    ("GN", "Guinea", "AF"),
    ("GP", "Guadeloupe", "NA"),
    ("GQ", "Equatorial Guinea", "AF"),
    ("GR", "Greece", "EU"),
    ("GS", "South Georgia and the South Sandwich Islands", "AN"),
    ("GT", "Guatemala", "NA"),
    ("GU", "Guam", "OC"),
    ("GW", "Guinea-Bissau", "AF"),
    ("GY", "Guyana", "SA"),
    ("HK", "Hong Kong", "AS"),
    ("HM", "Heard Island and McDonald Islands", "AN"),
    ("HN", "Honduras", "NA"),
    ("HR", "Croatia", "EU"),
    ("HT", "Haiti", "NA"),
    ("HU", "Hungary", "EU"),
    ("ID", "Indonesia", "AS"),
    ("IE", "Ireland", "EU"),
    ("IL", "Israel", "AS"),
    ("IM", "Isle of Man", "EU"),
    ("IN", "India", "AS"),
    ("IO", "British Indian Ocean Territory", "AS"),
    ("IQ", "Iraq", "AS"),
    ("IR", "Iran", "AS"),
    ("IS", "Iceland", "EU"),
    ("IT", "Italy", "EU"),
    ("JE", "Jersey", "EU"),
    ("JM", "Jamaica", "NA"),
    ("JO", "Jordan", "AS"),
    ("JP", "Japan", "AS"),
    ("KE", "Kenya", "AF"),
    ("KG", "Kyrgyzstan", "AS"),
    ("KH", "Cambodia", "AS"),
    ("KI", "Kiribati", "OC"),
    ("KM", "Comoros", "AF"),
    ("KN", "Saint Kitts and Nevis", "NA"),
    ("KP", "North Korea", "AS"),
    ("KR", "South Korea", "AS"),
    ("KW", "Kuwait", "AS"),
    ("KY", "Cayman Islands", "NA"),
    ("KZ", "Kazakhstan", "AS"),
    ("LA", "Laos", "AS"),
    ("LB", "Lebanon", "AS"),
    ("LC", "Saint Lucia", "NA"),
    ("LI", "Liechtenstein", "EU"),
    ("LK", "Sri Lanka", "AS"),
    ("LR", "Liberia", "AF"),
    ("LS", "Lesotho", "AF"),
    ("LT", "Lithuania", "EU"),
    ("LU", "Luxembourg", "EU"),
    ("LV", "Latvia", "EU"),
    ("LY", "Libya", "AF"),
    ("MA", "Morocco", "AF"),
    ("MC", "Monaco", "EU"),
    ("MD", "Moldova", "EU"),
    ("ME", "Montenegro", "EU"),
    ("MF", "Saint Martin (French part)", "NA"),
    ("MG", "Madagascar", "AF"),
    ("MH", "Marshall Islands", "OC"),
    ("MK", "North Macedonia", "EU"),
    ("ML", "Mali", "AF"),
    ("MM", "Myanmar", "AS"),
    ("MN", "Mongolia", "AS"),
    ("MO", "Macao", "AS"),
    ("MP", "Northern Mariana Islands", "OC"),
    ("MQ", "Martinique", "NA"),
    ("MR", "Mauritania", "AF"),
    ("MS", "Montserrat", "NA"),
    ("MT", "Malta", "EU"),
    ("MU", "Mauritius", "AF"),
    ("MV", "Maldives", "AS"),
    ("MW", "Malawi", "AF"),
    ("MX", "Mexico", "NA"),
    ("MY", "Malaysia", "AS"),
    ("MZ", "Mozambique", "AF"),
    ("NA", "Namibia", "AF"),
    ("NC", "New Caledonia", "OC"),
    ("NE", "Niger", "AF"),
    ("NF", "Norfolk Island", "OC"),
    ("NG", "Nigeria", "AF"),
    ("NI", "Nicaragua", "NA"),
    ("NL", "Netherlands", "EU"),
    ("NO", "Norway", "EU"),
    ("NP", "Nepal", "AS"),
    ("NR", "Nauru", "OC"),
    ("NU", "Niue", "OC"),
    ("NZ", "New Zealand", "OC"),
    ("OM", "Oman", "AS"),
    ("PA", "Panama", "NA"),
    ("PE", "Peru", "SA"),
    ("PF", "French Polynesia", "OC"),
    ("PG", "Papua New Guinea", "OC"),
    ("PH", "Philippines", "AS"),
    ("PK", "Pakistan", "AS"),
    ("PL", "Poland", "EU"),
    ("PM", "Saint Pierre and Miquelon", "NA"),
    ("PN", "Pitcairn", "OC"),
    ("PR", "Puerto Rico", "NA"),
    ("PS", "Palestine, State of", "AS"),
    ("PT", "Portugal", "EU"),
    ("PW", "Palau", "OC"),
    ("PY", "Paraguay", "SA"),
    ("QA", "Qatar", "AS"),
    ("RE", "R\u{00e9}union", "AF"),
    ("RO", "Romania", "EU"),
    ("RS", "Serbia", "EU"),
    ("RU", "Russian Federation", "EU"),
    ("RW", "Rwanda", "AF"),
    ("SA", "Saudi Arabia", "AS"),
    ("SB", "Solomon Islands", "OC"),
    ("SC", "Seychelles", "AF"),
    ("SD", "Sudan", "AF"),
    ("SE", "Sweden", "EU"),
    ("SG", "Singapore", "AS"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha", "AF"),
    ("SI", "Slovenia", "EU"),
    ("SJ", "Svalbard and Jan Mayen", "EU"),
    ("SK", "Slovakia", "EU"),
    ("SL", "Sierra Leone", "AF"),
    ("SM", "San Marino", "EU"),
    ("SN", "Senegal", "AF"),
    ("SO", "Somalia", "AF"),
    ("SR", "Suriname", "SA"),
    ("SS", "South Sudan", "AF"),
    ("ST", "Sao Tome and Principe", "AF"),
    ("SV", "El Salvador", "NA"),
    ("SX", "Sint Maarten (Dutch part)", "NA"),
    ("SY", "Syria", "AS"),
    ("SZ", "Eswatini", "AF"),
    ("TC", "Turks and Caicos Islands", "NA"),
    ("TD", "Chad", "AF"),
    ("TF", "French Southern Territories", "AN"),
    ("TG", "Togo", "AF"),
    ("TH", "Thailand", "AS"),
    ("TJ", "Tajikistan", "AS"),
    ("TK", "Tokelau", "OC"),
    ("TL", "Timor-Leste", "AS"),
    ("TM", "Turkmenistan", "AS"),
    ("TN", "Tunisia", "AF"),
    ("TO", "Tonga", "OC"),
    ("TR", "T\u{00fc}rkiye", "AS"),
    ("TT", "Trinidad and Tobago", "NA"),
    ("TV", "Tuvalu", "OC"),
    ("TW", "Taiwan", "AS"),
    ("TZ", "Tanzania", "AF"),
    ("UA", "Ukraine", "EU"),
    ("UG", "Uganda", "AF"),
    ("UM", "United States Minor Outlying Islands", "NA"),
    ("US", "United States", "NA"),
    ("UY", "Uruguay", "SA"),
    ("UZ", "Uzbekistan", "AS"),
    ("VA", "Holy See (Vatican City State)", "EU"),
    ("VC", "Saint Vincent and the Grenadines", "NA"),
    ("VE", "Venezuela", "SA"),
    ("VG", "Virgin Islands, British", "NA"),
    ("VI", "Virgin Islands, U.S.", "NA"),
    ("VN", "Vietnam", "AS"),
    ("VU", "Vanuatu", "OC"),
    ("WF", "Wallis and Futuna", "OC"),
    ("WS", "Samoa", "OC"),
    ("YE", "Yemen", "AS"),
    ("YT", "Mayotte", "AF"),
    ("ZA", "South Africa", "AF"),
    ("ZM", "Zambia", "AF"),
    ("ZW", "Zimbabwe", "AF"),
];

/// US states and the District of Columbia: (code, name).
pub const US_SUBDIVISIONS: &[(&str, &str)] = &[
    ("AK", "Alaska"),
    ("AL", "Alabama"),
    ("AR", "Arkansas"),
    ("AZ", "Arizona"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DC", "District of Columbia"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("IA", "Iowa"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("MA", "Massachusetts"),
    ("MD", "Maryland"),
    ("ME", "Maine"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MO", "Missouri"),
    ("MS", "Mississippi"),
    ("MT", "Montana"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("NE", "Nebraska"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NV", "Nevada"),
    ("NY", "New York"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VA", "Virginia"),
    ("VT", "Vermont"),
    ("WA", "Washington"),
    ("WI", "Wisconsin"),
    ("WV", "West Virginia"),
    ("WY", "Wyoming"),
];

/// The continent of a country (`DE` → `EU`).
pub fn continent_of(country: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, ..)| *c == country).map(|(_, _, k)| *k)
}

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

impl GeoLocationDetails {
    fn continent(code: &'static str, name: &'static str) -> Self {
        GeoLocationDetails {
            continent_code: Some(code),
            continent_name: Some(name),
            country_code: None,
            country_name: None,
            subdivision_code: None,
            subdivision_name: None,
        }
    }

    fn country(code: &'static str, name: &'static str) -> Self {
        GeoLocationDetails {
            country_code: Some(code),
            country_name: Some(name),
            ..Self::continent("", "")
        }
        .without_continent()
    }

    fn without_continent(mut self) -> Self {
        self.continent_code = None;
        self.continent_name = None;
        self
    }

    /// The start that names this location in ListGeoLocations.
    fn start(&self) -> GeoStart {
        GeoStart {
            continent: self.continent_code.map(str::to_owned),
            country: self.country_code.map(str::to_owned),
            subdivision: self.subdivision_code.map(str::to_owned),
        }
    }
}

/// Every location in ListGeoLocations' order.
fn all_locations() -> Vec<GeoLocationDetails> {
    let mut out = vec![GeoLocationDetails::country("*", "Default")];
    for (code, name, _) in COUNTRIES {
        out.push(GeoLocationDetails::country(code, name));
        if *code == "US" {
            for (sub, sub_name) in US_SUBDIVISIONS {
                out.push(GeoLocationDetails {
                    subdivision_code: Some(sub),
                    subdivision_name: Some(sub_name),
                    ..GeoLocationDetails::country(code, name)
                });
            }
        }
    }
    out.extend(CONTINENTS.iter().map(|(c, n)| GeoLocationDetails::continent(c, n)));
    out
}

fn no_such_location() -> Error {
    Error::new(Route53::NoSuchGeoLocation, "The specified geo location does not exist.")
}

/// GetGeoLocation: a continent, a country (`*` for the default) or a US state.
pub fn get_geo_location(
    continent: Option<&str>,
    country: Option<&str>,
    subdivision: Option<&str>,
) -> Result<GeoLocationDetails> {
    if continent.is_some() && (country.is_some() || subdivision.is_some()) {
        return Err(invalid_input(
            "Invalid request: a geolocation is either a continent or a country (with a subdivision), not both",
        ));
    }
    if subdivision.is_some() && country.is_none() {
        return Err(invalid_input("Invalid request: a subdivision code needs a country code"));
    }
    let start = GeoStart {
        continent: continent.map(str::to_owned),
        country: country.map(str::to_owned),
        subdivision: subdivision.map(str::to_owned),
    };
    all_locations().into_iter().find(|l| l.start() == start).ok_or_else(no_such_location)
}

/// Checks a record set's geolocation: a valid continent, or a valid country with an optional
/// US state.
pub fn check_location(g: &GeoLocation) -> Result<()> {
    if g.continent_code.is_none() && g.country_code.is_none() {
        return Err(invalid_input(
            "Invalid request: a geolocation needs a ContinentCode or a CountryCode",
        ));
    }
    get_geo_location(
        g.continent_code.as_deref(),
        g.country_code.as_deref(),
        g.subdivision_code.as_deref(),
    )
    .map(|_| ())
    .map_err(|e| {
        if e.code == Route53::NoSuchGeoLocation {
            invalid_input(format!(
                "Invalid request: the geolocation {} does not exist",
                describe(g)
            ))
        } else {
            e
        }
    })
}

fn describe(g: &GeoLocation) -> String {
    [&g.continent_code, &g.country_code, &g.subdivision_code]
        .iter()
        .filter_map(|c| c.as_deref())
        .collect::<Vec<_>>()
        .join("/")
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
    /// `NextContinentCode`, `NextCountryCode`, `NextSubdivisionCode` when truncated.
    pub next: Option<GeoStart>,
}

/// ListGeoLocations from `start` (the whole list when empty), at most 100 a page.
pub fn list_geo_locations(start: &GeoStart, max_items: Option<usize>) -> Result<GeoPage> {
    let all = all_locations();
    let from = if *start == GeoStart::default() {
        0
    } else {
        all.iter().position(|l| l.start() == *start).ok_or_else(no_such_location)?
    };
    let max = clamp_max(max_items, 100);
    let mut rest = all.into_iter().skip(from);
    let items: Vec<GeoLocationDetails> = rest.by_ref().take(max).collect();
    let next = rest.next().map(|l| l.start());
    Ok(GeoPage { items, max_items: max, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_looked_up_by_code() {
        let de = get_geo_location(None, Some("DE"), None).unwrap();
        assert_eq!(de.country_name, Some("Germany"));
        assert_eq!(
            get_geo_location(Some("EU"), None, None).unwrap().continent_name,
            Some("Europe")
        );
        assert_eq!(
            get_geo_location(None, Some("US"), Some("WA")).unwrap().subdivision_name,
            Some("Washington")
        );
        assert_eq!(get_geo_location(None, Some("*"), None).unwrap().country_name, Some("Default"));
        assert_eq!(get_geo_location(None, Some("ZZ"), None).unwrap_err().code, "NoSuchGeoLocation");
        assert_eq!(
            get_geo_location(None, Some("DE"), Some("BE")).unwrap_err().code,
            "NoSuchGeoLocation"
        );
        assert_eq!(continent_of("BR"), Some("SA"));
        assert_eq!(continent_of("JP"), Some("AS"));
    }

    #[test]
    fn listing_puts_countries_first_and_pages() {
        let first = list_geo_locations(&GeoStart::default(), Some(2)).unwrap();
        assert_eq!(first.items[0].country_code, Some("*"));
        let next = first.next.unwrap();
        let second = list_geo_locations(&next, Some(500)).unwrap();
        assert_eq!(second.max_items, 100);
        let everything = list_geo_locations(&GeoStart::default(), None).unwrap();
        assert!(everything.next.is_some());
        let mut start = GeoStart::default();
        let mut all = Vec::new();
        loop {
            let page = list_geo_locations(&start, None).unwrap();
            all.extend(page.items);
            match page.next {
                Some(n) => start = n,
                None => break,
            }
        }
        assert_eq!(all.last().unwrap().continent_code, Some("SA"), "continents come last");
        let us = all
            .iter()
            .position(|l| l.country_code == Some("US") && l.subdivision_code.is_none())
            .unwrap();
        assert_eq!(all[us + 1].subdivision_code, Some("AK"), "a country's subdivisions follow it");
    }
}
