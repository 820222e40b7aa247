set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-xl: decode, tpot_ms'
$d0 << EOD
-0.03 271.058687 259.389769 282.727605
0.97 272.886943 260.001982 285.771904
1.97 440.320058 434.714237 445.925879
EOD
$d1 << EOD
0.03 253.147261 246.766834 259.527688
1.03 585.670579 546.400641 624.940517
2.03 716.13493 657.896244 774.373616
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
