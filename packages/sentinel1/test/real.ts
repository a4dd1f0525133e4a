// Paths of the real Sentinel-1 metadata in ../shared/real (beside the clone; beside the work tree's
// parent for a git worktree). Tests fail loudly when it is absent.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const repo = fileURLToPath(new URL("../../../", import.meta.url))
const root = [join(repo, "../shared/real"), join(repo, "../../shared/real")].find((p) =>
  existsSync(p)
)

/** The absolute path of a file under shared/real. */
export const realPath = (relative: string): string => {
  if (root === undefined)
    throw new Error(`shared/real not found beside ${repo} (CI puts it beside the clone)`)
  return join(root, relative)
}

/** The text of a file under shared/real. */
export const realText = (relative: string): string => readFileSync(realPath(relative), "utf8")

const grd2021 = "s1/S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE"
const grd2015 = "s1/S1A_IW_GRDH_1SDV_20150222T170750_20150222T170815_004739_005DD8_3768.SAFE"
const slc2021 = "s1/S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"

/** Real files used by the tests. */
export const files = {
  annotationVv2021: `${grd2021}/annotation/s1b-iw-grd-vv-20210401t052623-20210401t052648-026269-032297-001.xml`,
  annotationVh2021: `${grd2021}/annotation/s1b-iw-grd-vh-20210401t052623-20210401t052648-026269-032297-002.xml`,
  manifest2021: `${grd2021}/manifest.safe`,
  annotation2015: `${grd2015}/annotation/s1a-iw-grd-vv-20150222t170750-20150222t170815-004739-005dd8-001.xml`,
  calibration2015: `${grd2015}/annotation/calibration/calibration-s1a-iw-grd-vv-20150222t170750-20150222t170815-004739-005dd8-001.xml`,
  noise2015: `${grd2015}/annotation/calibration/noise-s1a-iw-grd-vv-20150222t170750-20150222t170815-004739-005dd8-001.xml`,
  manifest2015: `${grd2015}/manifest.safe`,
  calibrationSlc2021: `${slc2021}/annotation/calibration/calibration-s1b-iw1-slc-vv-20210401t052624-20210401t052649-026269-032297-004.xml`,
  noiseSlc2021: `${slc2021}/annotation/calibration/noise-s1b-iw1-slc-vv-20210401t052624-20210401t052649-026269-032297-004.xml`
} as const
