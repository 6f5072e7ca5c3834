"""Small manifests, written as authoring tools write them, for the package tests."""

from __future__ import annotations

SCORM_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.listening" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Listening before you post</title>
      <item identifier="intro" identifierref="res-intro">
        <title>Why listen first</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
      <item identifier="tools" identifierref="res-tools" parameters="?part=2">
        <title>Tools for listening</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-intro" type="webcontent" adlcp:scormtype="sco" href="intro/index.html">
      <file href="intro/index.html"/>
    </resource>
    <resource identifier="res-tools" type="webcontent" adlcp:scormtype="sco" href="tools.html">
      <file href="tools.html"/>
    </resource>
  </resources>
</manifest>
"""

SCORM_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.profiles" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Setting up profiles</title>
      <item identifier="profile" identifierref="res">
        <title>A profile people trust</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="passed" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormType="sco" href="profile/start.html">
      <file href="profile/start.html"/>
    </resource>
  </resources>
</manifest>
"""

CMI5 = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/measuring">
    <title><langstring lang="en-US">Measuring results</langstring></title>
    <description><langstring lang="en-US">What to count, and when.</langstring></description>
  </course>
  <block id="https://example.org/courses/measuring/block">
    <title><langstring lang="en-US">Counting</langstring></title>
    <description><langstring lang="en-US">Counting what matters.</langstring></description>
    <au id="https://example.org/courses/measuring/au/1" moveOn="CompletedAndPassed" masteryScore="0.75">
      <title><langstring lang="en-US">Reach and response</langstring></title>
      <description><langstring lang="en-US">Two numbers.</langstring></description>
      <url>au1/index.html?start=1</url>
      <launchParameters>{"mode": "short"}</launchParameters>
    </au>
  </block>
  <au id="https://example.org/courses/measuring/au/2" launchMethod="OwnWindow">
    <title><langstring lang="en-US">A monthly report</langstring></title>
    <description><langstring lang="en-US">One page.</langstring></description>
    <url>https://content.example.org/report/index.html</url>
  </au>
</courseStructure>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<manifest identifier="&lol4;"><organizations/><resources/></manifest>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest identifier="x"><organizations><organization identifier="o"><title>&secret;</title></organization></organizations><resources/></manifest>
"""
