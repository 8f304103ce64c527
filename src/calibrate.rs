//! The travel model checked against published access figures, and its speeds fitted to them.
//!
//! Each [`PUBLISHED`] figure is a share of the population within N minutes of a kind of site
//! whose places the data holds. [`Calibration::shares`] recomputes it with a travel model over
//! every unit (its population, its point; a site in the unit is reached at once, as in a plan),
//! and [`Calibration::fit`] finds the factor on every speed band that brings the model closest to
//! the figures marked for the fit (least squares). The method and the table before and after
//! the fit are in `docs/travel.md`.

use std::collections::HashSet;

use crate::LoadError;
use crate::load::{DataFiles, Dataset, Table};
use crate::model::{CandidateIdx, UnitIdx};
use crate::spatial::{CrowFlies, SiteIndex, SpeedBand, TravelTime, build_reach};

/// The sites a published figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// France Services: fixed sites, antennas and multi-site networks (`inclusion_sites.csv`,
    /// source `france_services`, 2023-02); the bus home bases are left out (a bus stops in
    /// many communes, not at its base).
    FranceServicesFixed,
}

impl Layer {
    /// Its name in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FranceServicesFixed => "france_services_fixes",
        }
    }
}

/// A published share of the population within some minutes of a kind of site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// Short identifier (`fs-20-2022`).
    pub id: &'static str,
    /// The sites counted.
    pub layer: Layer,
    /// The travel bound, minutes.
    pub minutes: f64,
    /// The published share, in [0, 1].
    pub share: f64,
    /// Whether the fit uses it (a figure whose network or method differs from the data's is
    /// shown, not fitted).
    pub fitted: bool,
    /// Who published it, when, and where.
    pub source: &'static str,
    /// The words of the source.
    pub quote: &'static str,
}

/// The figures the model is checked against (sources and what was left out: `docs/travel.md`).
pub const PUBLISHED: [Figure; 3] = [
    Figure {
        id: "fs-20-2022",
        layer: Layer::FranceServicesFixed,
        minutes: 20.0,
        share: 0.92,
        fitted: true,
        source: "S. Guerini, ministre de la Transformation et de la Fonction publiques, commission des lois de \
                 l'Assemblée nationale, 26 octobre 2022 (≈ 2 600 France Services fin 2022), \
                 https://www.nosdeputes.fr/16/intervention/82465",
        quote: "Ce sont même 92 % de nos concitoyens qui se trouvent désormais à moins de vingt minutes d'une maison \
                France Services.",
    },
    Figure {
        id: "fs-30-2022",
        layer: Layer::FranceServicesFixed,
        minutes: 30.0,
        share: 0.99,
        fitted: true,
        source: "S. Guerini, même audition, 26 octobre 2022, https://www.nosdeputes.fr/16/intervention/82465",
        quote: "99 % de nos concitoyens vivent à moins de trente minutes d'une maison France Services. Ce chiffre vaut \
                pour la France métropolitaine et pour chacun des territoires ultramarins.",
    },
    Figure {
        id: "fs-20-2023",
        layer: Layer::FranceServicesFixed,
        minutes: 20.0,
        share: 0.95,
        fitted: false,
        source: "Cour des comptes, « Programme France services (2020-2023) », septembre 2024 (2 840 espaces fin 2023), \
                 as reported by http://ecolovibe.eelv.fr/les-maisons-france-services-une-success-story-a-poursuivre",
        quote: "95 % des Français sont ainsi à moins de 20 minutes d'un espace France Services.",
    },
];

/// The candidates of a layer: those holding one of its records of `inclusion_sites.csv`.
///
/// # Errors
/// `inclusion_sites.csv` cannot be read or lacks `source`, `source_id` or `kind`.
pub fn layer_sites(files: &DataFiles, data: &Dataset, layer: Layer) -> Result<Vec<CandidateIdx>, LoadError> {
    let mut table = Table::open(&files.file("inclusion_sites.csv"), &["source", "source_id", "kind"])?;
    let mut ids = HashSet::new();
    table.for_each_row(|row| {
        let wanted = match layer {
            Layer::FranceServicesFixed => {
                row.str("source") == "france_services" && row.str("kind") != "france_services:Mobile"
            }
        };
        if wanted {
            ids.insert(format!("{}:{}", row.str("source"), row.str("source_id")));
        }
        Ok(())
    })?;
    Ok(data
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.source_ids.iter().any(|s| ids.contains(s)))
        .map(|(j, _)| CandidateIdx(j as u32))
        .collect())
}

/// For each bound of `minutes`, the share of the population of `data` whose unit reaches one
/// of `sites` within it under `travel`.
#[must_use]
pub fn model_shares(data: &Dataset, sites: &[CandidateIdx], travel: &dyn TravelTime, minutes: &[f64]) -> Vec<f64> {
    let candidates: Vec<_> = sites.iter().map(|j| data.candidates[j.get()].clone()).collect();
    let index = SiteIndex::build(candidates.iter().map(|c| c.point));
    let longest = minutes.iter().copied().fold(0.0, f64::max);
    let reach = build_reach(&data.units, &candidates, &index, travel, longest);
    let total: f64 = data.units.iter().map(|u| u.population as f64).sum();
    minutes
        .iter()
        .map(|&m| {
            let within: f64 = (0..data.units.len())
                .filter(|&i| reach.of(UnitIdx(i as u32)).iter().any(|l| f64::from(l.minutes) <= m))
                .map(|i| data.units[i].population as f64)
                .sum();
            within / total.max(f64::MIN_POSITIVE)
        })
        .collect()
}

/// The figures' layers read once from the data, to recompute the figures under any model.
pub struct Calibration<'d> {
    data: &'d Dataset,
    layers: Vec<(Layer, Vec<CandidateIdx>)>,
}

impl<'d> Calibration<'d> {
    /// Reads the sites of every layer `figures` count.
    ///
    /// # Errors
    /// As [`layer_sites`].
    pub fn new(files: &DataFiles, data: &'d Dataset, figures: &[Figure]) -> Result<Self, LoadError> {
        let mut layers: Vec<(Layer, Vec<CandidateIdx>)> = Vec::new();
        for f in figures {
            if !layers.iter().any(|(l, _)| *l == f.layer) {
                layers.push((f.layer, layer_sites(files, data, f.layer)?));
            }
        }
        Ok(Self { data, layers })
    }

    /// The model's share for each of `figures` (their layers read by [`Self::new`]), under
    /// `travel`.
    #[must_use]
    pub fn shares(&self, figures: &[Figure], travel: &dyn TravelTime) -> Vec<f64> {
        let mut shares = vec![f64::NAN; figures.len()];
        for (layer, sites) in &self.layers {
            let of: Vec<usize> = (0..figures.len()).filter(|&k| figures[k].layer == *layer).collect();
            let minutes: Vec<f64> = of.iter().map(|&k| figures[k].minutes).collect();
            for (k, s) in of.into_iter().zip(model_shares(self.data, sites, travel, &minutes)) {
                shares[k] = s;
            }
        }
        shares
    }

    /// The factor in [0.5, 1.5] (steps of 0.01) on every speed band of `model` that minimises
    /// the squared error over the fitted `figures`, the speeds then rounded to whole km/h. The
    /// detour is kept: a trip's time depends on detour / speed only, so one of the two is free.
    #[must_use]
    pub fn fit(&self, figures: &[Figure], model: &CrowFlies) -> Fit {
        let fitted: Vec<Figure> = figures.iter().copied().filter(|f| f.fitted).collect();
        let error = |m: &CrowFlies| {
            let sq: f64 = self.shares(&fitted, m).iter().zip(&fitted).map(|(s, f)| (s - f.share).powi(2)).sum();
            (sq / fitted.len().max(1) as f64).sqrt()
        };
        let mut best: (f64, f64) = (f64::INFINITY, 1.0);
        for step in 50..=150 {
            let factor = f64::from(step) / 100.0;
            let e = error(&scaled(model, factor));
            // Ties go to the factor nearest 1: the smallest change that fits as well.
            if e < best.0 - 1e-12 || ((e - best.0).abs() <= 1e-12 && (factor - 1.0).abs() < (best.1 - 1.0).abs()) {
                best = (e, factor);
            }
        }
        let mut rounded = scaled(model, best.1);
        for b in &mut rounded.speeds {
            b.speed_kmh = b.speed_kmh.round().max(1.0);
        }
        let rmse = error(&rounded);
        Fit { factor: best.1, model: rounded, rmse }
    }
}

/// Every speed band × `factor`.
#[must_use]
pub fn scaled(model: &CrowFlies, factor: f64) -> CrowFlies {
    let speeds = model
        .speeds
        .iter()
        .map(|b| SpeedBand { max_density_km2: b.max_density_km2, speed_kmh: b.speed_kmh * factor })
        .collect();
    CrowFlies { detour: model.detour, speeds }
}

/// The result of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The factor on every speed band.
    pub factor: f64,
    /// The model with its speeds × factor, rounded to whole km/h.
    pub model: CrowFlies,
    /// Root mean square error over the fitted figures, in shares.
    pub rmse: f64,
}
