set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-medium: decode, tpot_ms'
$d0 << EOD
-0.03 214.320531 174.69308 253.947983
0.97 125.115758 121.80774 128.423777
1.97 187.444741 126.800263 248.089218
EOD
$d1 << EOD
0.03 42.950442 41.5059686 44.3949153
1.03 42.8698066 39.2717965 46.4678166
2.03 59.2671 57.0346107 61.4995893
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
