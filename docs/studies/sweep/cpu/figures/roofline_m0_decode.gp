set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 12.6261254 12.383241 12.8690098
0.97 31.9082881 -18.8750427 82.6916189
1.97 48.8446342 25.9957823 71.6934862
EOD
$d1 << EOD
0.03 17.4874328 17.262117 17.7127485
1.03 17.1222732 17.0391114 17.205435
2.03 45.2365227 44.5077393 45.9653062
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
