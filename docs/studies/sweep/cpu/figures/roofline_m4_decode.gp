set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.20039355 0.917519716 1.48326739
0.97 1.16506068 1.1250876 1.20503376
1.97 1.61094201 1.5838761 1.63800793
EOD
$d1 << EOD
0.03 1.65610188 1.52963534 1.78256841
1.03 1.66717381 1.60570663 1.72864098
2.03 2.13596415 2.06871078 2.20321752
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
