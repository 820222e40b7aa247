set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: decode, tpot_ms'
$d0 << EOD
-0.06 0.0536636903 0.0522981526 0.055029228
0.94 0.0582073161 0.054427378 0.0619872542
1.94 0.105770187 0.0993014443 0.11223893
EOD
$d1 << EOD
0 0.746133077 0.734234062 0.758032093
1 0.789730413 0.695384951 0.884075875
2 1.19042243 1.17166101 1.20918385
EOD
$d2 << EOD
0.06 1.6091214 1.5397896 1.6784532
1.06 1.82382905 1.51326985 2.13438826
2.06 1.77407096 1.70096727 1.84717465
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
