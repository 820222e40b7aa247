set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.989708947 0.965158569 1.01425932
0.94 0.983368671 0.955628576 1.01110877
1.94 1.29875782 1.27073544 1.32678019
EOD
$d1 << EOD
0 3.86645354 3.84023049 3.89267659
1 3.96505178 3.94558965 3.98451392
2 6.70315197 6.64101857 6.76528538
EOD
$d2 << EOD
0.06 3.65499455 3.64234179 3.66764732
1.06 3.76521703 3.75256626 3.77786779
2.06 6.69787024 6.67487916 6.72086132
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
