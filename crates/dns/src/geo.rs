//! Where AWS regions are, and how far apart places are.
//!
//! Route 53 measures latency between resolvers and regions; vpclab has no such measurements,
//! so latency routing uses distance instead: the great-circle distance between the client
//! (its [`crate::config::ClientLocation::coordinates`], else its region's) and each record's
//! region, nearest first. Geoproximity uses the same distances with Route 53's bias formula.
//! The coordinates are the approximate locations of the regions' metro areas.

/// `(region, latitude, longitude)` of every commercial region, GovCloud and China.
const REGIONS: &[(&str, f64, f64)] = &[
    ("us-east-1", 38.9, -77.4),
    ("us-east-2", 40.0, -83.0),
    ("us-west-1", 37.4, -121.9),
    ("us-west-2", 45.8, -119.7),
    ("ca-central-1", 45.5, -73.6),
    ("ca-west-1", 51.0, -114.1),
    ("mx-central-1", 20.6, -100.4),
    ("sa-east-1", -23.5, -46.6),
    ("eu-west-1", 53.3, -6.3),
    ("eu-west-2", 51.5, -0.1),
    ("eu-west-3", 48.9, 2.35),
    ("eu-central-1", 50.1, 8.7),
    ("eu-central-2", 47.4, 8.5),
    ("eu-north-1", 59.3, 18.1),
    ("eu-south-1", 45.5, 9.2),
    ("eu-south-2", 41.6, -0.9),
    ("il-central-1", 32.1, 34.8),
    ("me-south-1", 26.1, 50.6),
    ("me-central-1", 24.5, 54.4),
    ("af-south-1", -33.9, 18.4),
    ("ap-east-1", 22.3, 114.2),
    ("ap-south-1", 19.1, 72.9),
    ("ap-south-2", 17.4, 78.5),
    ("ap-northeast-1", 35.7, 139.7),
    ("ap-northeast-2", 37.6, 127.0),
    ("ap-northeast-3", 34.7, 135.5),
    ("ap-southeast-1", 1.35, 103.8),
    ("ap-southeast-2", -33.9, 151.2),
    ("ap-southeast-3", -6.2, 106.8),
    ("ap-southeast-4", -37.8, 145.0),
    ("ap-southeast-5", 3.1, 101.7),
    ("ap-southeast-7", 13.75, 100.5),
    ("us-gov-west-1", 45.6, -121.2),
    ("us-gov-east-1", 40.0, -83.0),
    ("cn-north-1", 39.9, 116.4),
    ("cn-northwest-1", 38.5, 106.3),
];

/// A region's coordinates; a Local Zone group (`us-east-1-bos-1`) is placed at its parent
/// region. `None` for a name that is neither.
pub fn region_coordinates(region: &str) -> Option<(f64, f64)> {
    let find = |r: &str| REGIONS.iter().find(|(n, _, _)| *n == r).map(|(_, la, lo)| (*la, *lo));
    find(region).or_else(|| {
        // `us-east-1-bos-1`: the first three dash-separated parts name the parent.
        let parent: Vec<&str> = region.splitn(4, '-').take(3).collect();
        find(&parent.join("-"))
    })
}

/// Great-circle distance in kilometres.
pub fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Route 53's geoproximity bias: a positive bias shrinks the distance (the resource draws
/// from farther away), a negative one stretches it.
pub fn biased(distance: f64, bias: i32) -> f64 {
    let b = f64::from(bias.clamp(-99, 99)) / 100.0;
    if b >= 0.0 { distance * (1.0 - b) } else { distance / (1.0 + b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_nearer_than_antipodes() {
        let va = region_coordinates("us-east-1").unwrap();
        let ohio = region_coordinates("us-east-2").unwrap();
        let sydney = region_coordinates("ap-southeast-2").unwrap();
        assert!(distance(va, ohio) < 1000.0);
        assert!(distance(va, sydney) > 15000.0);
        assert_eq!(region_coordinates("us-east-1-bos-1"), Some(va));
        assert_eq!(region_coordinates("moon-1"), None);
    }

    #[test]
    fn bias_grows_or_shrinks_the_area_served() {
        assert_eq!(biased(1000.0, 50), 500.0);
        assert_eq!(biased(1000.0, -50), 2000.0);
        assert_eq!(biased(1000.0, 0), 1000.0);
    }
}
