package io.twofa.totp;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

class OtpAuthUriTest {

    @Test
    void labelAndParametersArePercentEncoded() {
        String uri = OtpAuthUri.totp("Flow Production Tracking", "jane.doe+vfx@studio.example", "JBSWY3DPEHPK3PXP");
        assertThat(uri).isEqualTo("otpauth://totp/Flow%20Production%20Tracking:jane.doe%2Bvfx%40studio.example"
                + "?secret=JBSWY3DPEHPK3PXP&issuer=Flow%20Production%20Tracking&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void pngDecodesBackToTheUri() throws Exception {
        String uri = OtpAuthUri.totp("Flow Production Tracking", "sébastien", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
        byte[] png = QrPng.render(uri);
        assertThat(png).startsWith(new byte[] { (byte) 0x89, 'P', 'N', 'G' });
        assertThat(decode(png)).isEqualTo(uri);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(QrPng.SIZE);
        // quiet zone: the border is white
        assertThat(image.getRGB(2, 2) & 0xffffff).isEqualTo(0xffffff);
        assertThat(QrPng.dataUri(png)).startsWith("data:image/png;base64,iVBOR");
    }

    static String decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.FALSE)).getText();
    }
}
