// Writes the parts of the Sentinel-1 annotation schemas EOForge reads (product, calibration, noise, manifest),
// in ESA's element layout, for generated test products.
import { Annotation, type Calibration, type Noise } from "@eoforge/sentinel1"

const utc = (epochMicros: number, seconds: number): string => {
  const us = Math.round(epochMicros + seconds * 1e6)
  const ms = Math.floor(us / 1000)
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, "0")}`
}
const utcMicros = (us: number): string => utc(us, 0)
const e = (v: number): string => v.toExponential(15)
const list = (xs: ArrayLike<number>, f: (v: number) => string = e): string =>
  Array.from(xs, f).join(" ")

const header = (
  a: { mission: string; productType: string; polarisation: string; mode: string; swath: string },
  start: string,
  stop: string
) => `  <adsHeader>
    <missionId>${a.mission}</missionId>
    <productType>${a.productType}</productType>
    <polarisation>${a.polarisation}</polarisation>
    <mode>${a.mode}</mode>
    <swath>${a.swath}</swath>
    <startTime>${start}</startTime>
    <stopTime>${stop}</stopTime>
    <absoluteOrbitNumber>26269</absoluteOrbitNumber>
    <missionDataTakeId>205463</missionDataTakeId>
    <imageNumber>001</imageNumber>
  </adsHeader>`

/** A product annotation document. */
export const product = (a: Annotation.ProductAnnotation): string => {
  const start = utc(a.epochMicros, 0)
  const stop = utc(a.epochMicros, a.lastLineTime)
  const orbit = a.orbit
    .map(
      (o) => `      <orbit>
        <time>${utc(a.epochMicros, o.t)}</time>
        <frame>Earth Fixed</frame>
        <position><x>${e(o.x)}</x><y>${e(o.y)}</y><z>${e(o.z)}</z></position>
        <velocity><x>${e(o.vx)}</x><y>${e(o.vy)}</y><z>${e(o.vz)}</z></velocity>
      </orbit>`
    )
    .join("\n")
  const grid = a.grid
    .map(
      (g) => `      <geolocationGridPoint>
        <azimuthTime>${utc(a.epochMicros, g.t)}</azimuthTime>
        <slantRangeTime>${e(g.slantRangeTime)}</slantRangeTime>
        <line>${g.line}</line>
        <pixel>${g.pixel}</pixel>
        <latitude>${e(g.latitude)}</latitude>
        <longitude>${e(g.longitude)}</longitude>
        <height>${e(g.height)}</height>
        <incidenceAngle>${e(g.incidenceAngle)}</incidenceAngle>
        <elevationAngle>0.000000000000000e+00</elevationAngle>
      </geolocationGridPoint>`
    )
    .join("\n")
  const conv = a.rangeConversions
    .map(
      (c) => `      <coordinateConversion>
        <azimuthTime>${utc(a.epochMicros, c.t)}</azimuthTime>
        <slantRangeTime>${e(a.slantRangeTime)}</slantRangeTime>
        <sr0>${e(c.sr0)}</sr0>
        <srgrCoefficients count="${c.srgr.length}">${list(c.srgr)}</srgrCoefficients>
        <gr0>${e(c.gr0)}</gr0>
        <grsrCoefficients count="${c.grsr.length}">${list(c.grsr)}</grsrCoefficients>
      </coordinateConversion>`
    )
    .join("\n")
  return `<?xml version="1.0" encoding="UTF-8"?>
<product>
${header(a, start, stop)}
  <generalAnnotation>
    <productInformation>
      <pass>${a.pass}</pass>
      <timelinessCategory>Fast-24h</timelinessCategory>
      <platformHeading>-1.0e+01</platformHeading>
      <projection>${a.projection}</projection>
      <rangeSamplingRate>6.4345238125e+07</rangeSamplingRate>
      <radarFrequency>${e(a.radarFrequency)}</radarFrequency>
      <azimuthSteeringRate>1.590368784000000e+00</azimuthSteeringRate>
    </productInformation>
    <orbitList count="${a.orbit.length}">
${orbit}
    </orbitList>
  </generalAnnotation>
  <imageAnnotation>
    <imageInformation>
      <productFirstLineUtcTime>${start}</productFirstLineUtcTime>
      <productLastLineUtcTime>${stop}</productLastLineUtcTime>
      <slantRangeTime>${e(a.slantRangeTime)}</slantRangeTime>
      <pixelValue>Detected</pixelValue>
      <outputPixels>16 bit Unsigned Integer</outputPixels>
      <rangePixelSpacing>${e(a.rangePixelSpacing)}</rangePixelSpacing>
      <azimuthPixelSpacing>${e(a.azimuthPixelSpacing)}</azimuthPixelSpacing>
      <azimuthTimeInterval>${e(a.azimuthTimeInterval)}</azimuthTimeInterval>
      <numberOfSamples>${a.samples}</numberOfSamples>
      <numberOfLines>${a.lines}</numberOfLines>
    </imageInformation>
    <processingInformation>
      <ellipsoidName>WGS84</ellipsoidName>
      <ellipsoidSemiMajorAxis>${e(a.ellipsoid.a)}</ellipsoidSemiMajorAxis>
      <ellipsoidSemiMinorAxis>${e(a.ellipsoid.b)}</ellipsoidSemiMinorAxis>
    </processingInformation>
  </imageAnnotation>
  <geolocationGrid>
    <geolocationGridPointList count="${a.grid.length}">
${grid}
    </geolocationGridPointList>
  </geolocationGrid>
  <coordinateConversion>
    <coordinateConversionList count="${a.rangeConversions.length}">
${conv}
    </coordinateConversionList>
  </coordinateConversion>
</product>
`
}

const f6 = (v: number) => v.toExponential(6)

/** A calibration annotation document. */
export const calibration = (
  a: Annotation.ProductAnnotation,
  c: Calibration.Calibration
): string => `<?xml version="1.0" encoding="UTF-8"?>
<calibration>
${header(a, utc(a.epochMicros, 0), utc(a.epochMicros, a.lastLineTime))}
  <calibrationInformation>
    <absoluteCalibrationConstant>${f6(c.absoluteCalibrationConstant)}</absoluteCalibrationConstant>
  </calibrationInformation>
  <calibrationVectorList count="${c.vectors.length}">
${c.vectors
  .map(
    (v) => `    <calibrationVector>
      <azimuthTime>${utcMicros(v.timeMicros)}</azimuthTime>
      <line>${v.line}</line>
      <pixel count="${v.pixel.length}">${list(v.pixel, String)}</pixel>
      <sigmaNought count="${v.pixel.length}">${list(v.sigmaNought, f6)}</sigmaNought>
      <betaNought count="${v.pixel.length}">${list(v.betaNought, f6)}</betaNought>
      <gamma count="${v.pixel.length}">${list(v.gamma, f6)}</gamma>
      <dn count="${v.pixel.length}">${list(v.dn, f6)}</dn>
    </calibrationVector>`
  )
  .join("\n")}
  </calibrationVectorList>
</calibration>
`

/** A noise annotation document (IPF ≥ 2.9 schema). */
export const noise = (
  a: Annotation.ProductAnnotation,
  n: Noise.Noise
): string => `<?xml version="1.0" encoding="UTF-8"?>
<noise>
${header(a, utc(a.epochMicros, 0), utc(a.epochMicros, a.lastLineTime))}
  <noiseRangeVectorList count="${n.range.length}">
${n.range
  .map(
    (v) => `    <noiseRangeVector>
      <azimuthTime>${utc(a.epochMicros, Annotation.lineTime(a, v.line))}</azimuthTime>
      <line>${v.line}</line>
      <pixel count="${v.pixel.length}">${list(v.pixel, String)}</pixel>
      <noiseRangeLut count="${v.pixel.length}">${list(v.lut, f6)}</noiseRangeLut>
    </noiseRangeVector>`
  )
  .join("\n")}
  </noiseRangeVectorList>
  <noiseAzimuthVectorList count="${n.azimuth.length}">
${n.azimuth
  .map(
    (b) => `    <noiseAzimuthVector>
      <swath>${b.swath}</swath>
      <firstAzimuthLine>${b.firstAzimuthLine}</firstAzimuthLine>
      <firstRangeSample>${b.firstRangeSample}</firstRangeSample>
      <lastAzimuthLine>${b.lastAzimuthLine}</lastAzimuthLine>
      <lastRangeSample>${b.lastRangeSample}</lastRangeSample>
      <line count="${b.line.length}">${list(b.line, String)}</line>
      <noiseAzimuthLut count="${b.lut.length}">${list(b.lut, f6)}</noiseAzimuthLut>
    </noiseAzimuthVector>`
  )
  .join("\n")}
  </noiseAzimuthVectorList>
</noise>
`

/** A minimal SAFE manifest naming the processor version. */
export const manifest = (ipf: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:safe="http://www.esa.int/safe/sentinel-1.0">
  <metadataSection>
    <metadataObject ID="processing">
      <metadataWrap>
        <xmlData>
          <safe:processing name="SLC Processing">
            <safe:facility name="Copernicus S1 Core Ground Segment">
              <safe:software name="Sentinel-1 IPF" version="${ipf}"/>
            </safe:facility>
          </safe:processing>
        </xmlData>
      </metadataWrap>
    </metadataObject>
  </metadataSection>
</xfdu:XFDU>
`
